package dev.pylon.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads a memory size in MiB the way Kubernetes and Cloud Run write it: {@code 512Mi}, {@code 1Gi},
 * {@code 512M}, {@code 1G}; a bare number is MiB.
 */
final class MemorySizeConverter implements ITypeConverter<Long> {
  private static final Pattern FORM = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(mi|gi|m|g|mb|gb)?");

  @Override
  public Long convert(String value) {
    Matcher matcher = FORM.matcher(value.trim().toLowerCase(Locale.ROOT));
    if (!matcher.matches()) {
      throw new TypeConversionException(
          "'" + value + "' is not a memory size; write it like 512Mi or 1Gi");
    }
    double amount = Double.parseDouble(matcher.group(1));
    String unit = matcher.group(2) == null ? "mi" : matcher.group(2);
    double mebibytes =
        switch (unit) {
          case "gi" -> amount * 1024;
          case "g", "gb" -> amount * 1_000_000_000 / (1024 * 1024);
          case "m", "mb" -> amount * 1_000_000 / (1024 * 1024);
          default -> amount;
        };
    long rounded = (long) Math.ceil(mebibytes);
    if (rounded < 16) {
      throw new TypeConversionException(
          "'" + value + "' is less than 16 MiB; no Python server starts in that");
    }
    return rounded;
  }
}
