package dev.pylon.autoscale;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One revision's recent load, in one-second buckets, averaged over a stable and a panic window.
 *
 * <p>Averaging follows Knative's default ("linear") aggregation: a plain average of the buckets in
 * the window, not an exponentially weighted one. Several samples in one bucket are averaged first,
 * so sampling a gauge every 250 ms gives the in-flight average of that second. As in Knative, a
 * window that started less than its length ago is averaged over the buckets since the first sample
 * (a new revision is not diluted by seconds it did not exist), gaps between samples count as zero,
 * and seconds after the latest sample count as unknown rather than zero.
 *
 * <p>Not thread-safe: one owner records and reads (the {@link Scaler} does both on its one thread).
 */
public final class MetricWindow {
  private static final long BUCKET_MILLIS = ScalingPolicy.BUCKET.toMillis();

  private final int stableBuckets;
  private final int panicBuckets;
  private final double[] sums;
  private final int[] counts;
  private long firstWrite = Long.MIN_VALUE;
  private long lastWrite = Long.MIN_VALUE;
  private Instant lastActivity;

  /** A window with the policy's stable and panic windows. */
  public MetricWindow(ScalingPolicy policy) {
    this(policy.stableWindow(), policy.panicWindow());
  }

  public MetricWindow(Duration stableWindow, Duration panicWindow) {
    this.stableBuckets = buckets(stableWindow);
    this.panicBuckets = Math.min(stableBuckets, buckets(panicWindow));
    this.sums = new double[stableBuckets];
    this.counts = new int[stableBuckets];
  }

  private static int buckets(Duration window) {
    long n = (window.toMillis() + BUCKET_MILLIS - 1) / BUCKET_MILLIS;
    if (n < 1 || n > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("a window must be at least one bucket: " + window);
    }
    return (int) n;
  }

  private static long index(Instant t) {
    return Math.floorDiv(t.toEpochMilli(), BUCKET_MILLIS);
  }

  private int slot(long index) {
    return (int) Math.floorMod(index, (long) stableBuckets);
  }

  /** Adds one sample taken at {@code at}; samples older than the stable window are ignored. */
  public void record(Instant at, double value) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException("a sample must be a finite number >= 0, got " + value);
    }
    long i = index(at);
    if (lastWrite == Long.MIN_VALUE || i - lastWrite >= stableBuckets) {
      java.util.Arrays.fill(sums, 0);
      java.util.Arrays.fill(counts, 0);
      firstWrite = i;
      lastWrite = i;
    } else if (i > lastWrite) {
      for (long j = lastWrite + 1; j <= i; j++) {
        sums[slot(j)] = 0;
        counts[slot(j)] = 0;
      }
      lastWrite = i;
    } else if (i <= lastWrite - stableBuckets) {
      return;
    } else if (i < firstWrite) {
      firstWrite = i;
    }
    sums[slot(i)] += value;
    counts[slot(i)]++;
    if (value > 0 && (lastActivity == null || at.isAfter(lastActivity))) {
      lastActivity = at;
    }
  }

  /** The stable and panic averages as of {@code now}. */
  public WindowStats stats(Instant now) {
    long i = index(now);
    boolean hasData = lastWrite != Long.MIN_VALUE && lastWrite > i - stableBuckets;
    return new WindowStats(
        average(i, stableBuckets),
        average(i, panicBuckets),
        Optional.ofNullable(lastActivity),
        hasData);
  }

  private double average(long now, int width) {
    if (lastWrite == Long.MIN_VALUE) {
      return 0;
    }
    long from = Math.max(firstWrite, now - width + 1);
    long to = Math.min(lastWrite, now);
    if (to < from) {
      return 0;
    }
    double total = 0;
    for (long j = from; j <= to; j++) {
      int s = slot(j);
      if (counts[s] > 0) {
        total += sums[s] / counts[s];
      }
    }
    return total / (to - from + 1);
  }
}
