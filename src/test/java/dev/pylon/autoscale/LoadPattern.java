package dev.pylon.autoscale;

/**
 * Offered load (requests in flight for the whole revision) as a function of the second since the
 * replay began. Recorded shapes for {@link LoadReplay}: step, spike, ramp, idle, sawtooth.
 */
@FunctionalInterface
interface LoadPattern {
  double at(long second);

  /** {@code level} from the start. */
  static LoadPattern constant(double level) {
    return s -> level;
  }

  /** No traffic at all. */
  static LoadPattern idle() {
    return constant(0);
  }

  /** {@code before} until second {@code at}, then {@code after} for good. */
  static LoadPattern step(double before, double after, long at) {
    return s -> s < at ? before : after;
  }

  /** {@code base}, with {@code peak} during [{@code from}, {@code from + seconds}). */
  static LoadPattern spike(double base, double peak, long from, long seconds) {
    return s -> s >= from && s < from + seconds ? peak : base;
  }

  /** {@code from} until {@code start}, linearly to {@code to} at {@code end}, then {@code to}. */
  static LoadPattern ramp(double from, double to, long start, long end) {
    return s -> {
      if (s <= start) {
        return from;
      }
      if (s >= end) {
        return to;
      }
      return from + (to - from) * (s - start) / (end - start);
    };
  }

  /** Rises linearly from {@code low} to {@code high} over each period, then drops back. */
  static LoadPattern sawtooth(double low, double high, long period) {
    return s -> low + (high - low) * Math.floorMod(s, period) / (period - 1);
  }

  /** This pattern until second {@code at}, then {@code next} (with its own seconds from 0). */
  default LoadPattern then(long at, LoadPattern next) {
    return s -> s < at ? at(s) : next.at(s - at);
  }
}
