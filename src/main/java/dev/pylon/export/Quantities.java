package dev.pylon.export;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;

/** Kubernetes quantities and whole seconds, from the spec's numbers. */
final class Quantities {
  private Quantities() {}

  /** Cores as Kubernetes writes them: {@code 1}, {@code 2}, {@code 500m}, {@code 1500m}. */
  static String cpu(double cores) {
    long millis = Math.max(1, Math.round(cores * 1000));
    return millis % 1000 == 0 ? Long.toString(millis / 1000) : millis + "m";
  }

  /** MiB as a Kubernetes memory quantity: {@code 512Mi}. */
  static String memory(long mebibytes) {
    return mebibytes + "Mi";
  }

  /** Whole seconds, rounded up, at least {@code min}: probe fields cannot go below 1 s. */
  static int seconds(Duration d, int min) {
    long millis = d.toMillis();
    long seconds = (millis + 999) / 1000;
    return (int) Math.max(min, Math.min(Integer.MAX_VALUE, seconds));
  }

  /** A fraction as a whole percentage: 0.7 is 70. */
  static int percent(double fraction) {
    return BigDecimal.valueOf(fraction * 100).setScale(0, RoundingMode.HALF_UP).intValueExact();
  }

  /** A number without a needless {@code .0}: 80.0 is {@code 80}, 2.5 is {@code 2.5}. */
  static String plain(double value) {
    return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
  }
}
