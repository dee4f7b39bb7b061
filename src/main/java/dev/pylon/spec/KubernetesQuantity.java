package dev.pylon.spec;

import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A Kubernetes resource quantity ({@code 512Mi}, {@code 1000m}, {@code 2}) as a number. */
final class KubernetesQuantity {
  private static final Pattern QUANTITY =
      Pattern.compile("(\\d+(?:\\.\\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T|m)?");

  private KubernetesQuantity() {}

  /** Bytes for a memory quantity, cores for a cpu one; empty when it is not a quantity. */
  static OptionalDouble parse(String text) {
    Matcher m = QUANTITY.matcher(text.strip());
    if (!m.matches()) {
      return OptionalDouble.empty();
    }
    double n = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "" : m.group(2);
    double factor =
        switch (unit) {
          case "Ki" -> 1024;
          case "Mi" -> 1024 * 1024;
          case "Gi" -> 1024.0 * 1024 * 1024;
          case "Ti" -> 1024.0 * 1024 * 1024 * 1024;
          case "k" -> 1e3;
          case "M" -> 1e6;
          case "G" -> 1e9;
          case "T" -> 1e12;
          case "m" -> 1e-3;
          default -> 1;
        };
    return OptionalDouble.of(n * factor);
  }
}
