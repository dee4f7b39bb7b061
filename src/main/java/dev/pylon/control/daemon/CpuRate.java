package dev.pylon.control.daemon;

import java.util.function.DoubleSupplier;

/**
 * Turns a revision's cumulative CPU seconds ({@link dev.pylon.runtime.InstanceSet#cpuSeconds()})
 * into the cores it uses now. The rate is taken over at least {@link #INTERVAL_NANOS}, so the
 * kernel's 10 ms accounting ticks do not make a 250 ms sample jump by 0.04 cores, and {@code /proc}
 * is read at most once per interval however often the autoscaler samples. A rate under {@link
 * #NOISE_CORES} is zero: an idle server's timers must not count as traffic, or a revision on CPU
 * would never idle to zero. Thread-safe.
 */
final class CpuRate {
  static final long INTERVAL_NANOS = 1_000_000_000L;
  static final double NOISE_CORES = 0.03;

  private boolean started;
  private double lastSeconds;
  private long lastNanos;
  private double cores;

  /** The cores in use as of {@code nowNanos}; 0 until two readings an interval apart. */
  synchronized double cores(DoubleSupplier cpuSeconds, long nowNanos) {
    if (started && nowNanos - lastNanos < INTERVAL_NANOS) {
      return cores;
    }
    double seconds = cpuSeconds.getAsDouble();
    if (started) {
      double rate = Math.max(0, seconds - lastSeconds) / ((nowNanos - lastNanos) / 1e9);
      cores = rate < NOISE_CORES ? 0 : rate;
    }
    started = true;
    lastSeconds = seconds;
    lastNanos = nowNanos;
    return cores;
  }
}
