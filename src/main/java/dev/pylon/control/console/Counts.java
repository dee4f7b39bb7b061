package dev.pylon.control.console;

import java.util.Arrays;

/**
 * Requests counted since the daemon started: all of them, those answered 5xx, and how long they
 * took as a histogram with the router's buckets ({@link #BOUNDS}, in seconds, then +Inf).
 * Differences of two counts give a rate and latency percentiles over the time between them, the way
 * Prometheus' {@code rate} and {@code histogram_quantile} read the same series on {@code /metrics}.
 */
record Counts(long requests, long errors, long[] buckets) {
  /**
   * The upper bounds of {@code pylon_router_request_duration_seconds}, as RouterMetrics has them.
   */
  static final double[] BOUNDS = {
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300
  };

  static final Counts NONE = new Counts(0, 0, new long[BOUNDS.length + 1]);

  Counts {
    if (buckets.length != BOUNDS.length + 1) {
      throw new IllegalArgumentException(
          "a histogram has " + (BOUNDS.length + 1) + " buckets, not " + buckets.length);
    }
    buckets = buckets.clone();
  }

  @Override
  public long[] buckets() {
    return buckets.clone();
  }

  Counts plus(Counts other) {
    long[] sum = new long[buckets.length];
    for (int i = 0; i < sum.length; i++) {
      sum[i] = buckets[i] + other.buckets[i];
    }
    return new Counts(requests + other.requests, errors + other.errors, sum);
  }

  /**
   * What was counted after {@code earlier}; never negative (a counter that went down restarted).
   */
  Counts since(Counts earlier) {
    long[] delta = new long[buckets.length];
    for (int i = 0; i < delta.length; i++) {
      delta[i] = Math.max(0, buckets[i] - earlier.buckets[i]);
    }
    return new Counts(
        Math.max(0, requests - earlier.requests), Math.max(0, errors - earlier.errors), delta);
  }

  /**
   * The {@code q} quantile of the durations, in seconds, interpolated linearly inside its bucket as
   * {@code histogram_quantile} does; NaN when nothing was counted. A quantile in the +Inf bucket is
   * the largest finite bound.
   */
  double quantile(double q) {
    long total = 0;
    for (long b : buckets) {
      total += b;
    }
    if (total == 0) {
      return Double.NaN;
    }
    double rank = q * total;
    long below = 0;
    for (int i = 0; i < buckets.length; i++) {
      long in = buckets[i];
      if (below + in >= rank && in > 0) {
        if (i == BOUNDS.length) {
          return BOUNDS[BOUNDS.length - 1];
        }
        double lower = i == 0 ? 0 : BOUNDS[i - 1];
        return lower + (BOUNDS[i] - lower) * ((rank - below) / in);
      }
      below += in;
    }
    return BOUNDS[BOUNDS.length - 1];
  }

  /** The bucket a request of {@code seconds} falls in. */
  static int bucketOf(double seconds) {
    for (int i = 0; i < BOUNDS.length; i++) {
      if (seconds <= BOUNDS[i]) {
        return i;
      }
    }
    return BOUNDS.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Counts c
        && c.requests == requests
        && c.errors == errors
        && Arrays.equals(c.buckets, buckets);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(requests) * 31 + Arrays.hashCode(buckets);
  }

  @Override
  public String toString() {
    return "Counts["
        + requests
        + " requests, "
        + errors
        + " 5xx, "
        + Arrays.toString(buckets)
        + "]";
  }
}
