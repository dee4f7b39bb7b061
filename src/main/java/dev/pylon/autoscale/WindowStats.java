package dev.pylon.autoscale;

import java.time.Instant;
import java.util.Optional;

/**
 * What a {@link MetricWindow} saw, as of one instant: the load averaged over the stable and the
 * panic window, in the policy's metric unit, for the whole revision.
 *
 * @param stableAverage average over the stable window (60 s by default)
 * @param panicAverage average over the panic window (6 s by default)
 * @param lastActivity when a sample above zero was last recorded; empty if never
 * @param hasData whether any sample lies within the stable window; without one the autoscaler keeps
 *     what runs (Knative: "no data to scale on yet")
 */
public record WindowStats(
    double stableAverage, double panicAverage, Optional<Instant> lastActivity, boolean hasData) {

  /** Nothing recorded yet. */
  public static final WindowStats EMPTY = new WindowStats(0, 0, Optional.empty(), false);

  public WindowStats {
    if (stableAverage < 0 || panicAverage < 0) {
      throw new IllegalArgumentException(
          "averages cannot be negative: " + stableAverage + ", " + panicAverage);
    }
  }
}
