package dev.pylon.autoscale;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the autoscaler remembers between two decisions for one revision. Immutable: each {@link
 * Decision} carries the next state.
 *
 * @param lastActive the last time traffic was seen (or the revision started): scale to zero waits
 *     for the stable window and the grace period after it
 * @param panicStarted when the current panic began; empty when not panicking
 * @param lastPanicTrigger the last decision at which the panic window was over the threshold; panic
 *     ends a stable window after it
 * @param maxPanicInstances the highest count wanted during this panic; panic never goes below it
 * @param reachedInitialScale whether the revision once had its initial scale ready; until then the
 *     initial scale is a floor
 * @param recentWants counts wanted within the scale-down delay, oldest first (empty without delay)
 */
public record ScalerState(
    Instant lastActive,
    Optional<Instant> panicStarted,
    Optional<Instant> lastPanicTrigger,
    int maxPanicInstances,
    boolean reachedInitialScale,
    List<Want> recentWants) {

  /** One count wanted at one instant, remembered for the scale-down delay. */
  public record Want(Instant at, int instances) {}

  public ScalerState {
    Objects.requireNonNull(lastActive, "lastActive");
    Objects.requireNonNull(panicStarted, "panicStarted");
    Objects.requireNonNull(lastPanicTrigger, "lastPanicTrigger");
    recentWants = List.copyOf(recentWants);
  }

  /** A new revision, starting now: its start counts as activity, so it is not idle at once. */
  public static ScalerState start(Instant now) {
    return new ScalerState(now, Optional.empty(), Optional.empty(), 0, false, List.of());
  }

  /**
   * The autoscaler itself restarted (the daemon came back) and lost its window. As Knative does,
   * start in panic when more than one instance is ready, so the empty window does not scale the
   * revision down before a stable window of samples has been seen. {@code readyInstances} is the
   * count the revision had: when its instances restart with the daemon, the count it last wanted
   * (they are held at it while they start).
   */
  public static ScalerState afterRestart(Instant now, int readyInstances) {
    if (readyInstances > 1) {
      return new ScalerState(
          now, Optional.of(now), Optional.of(now), readyInstances, true, List.of());
    }
    return new ScalerState(now, Optional.empty(), Optional.empty(), 0, true, List.of());
  }

  /** Whether the revision is in panic mode. */
  public boolean panicking() {
    return panicStarted.isPresent();
  }
}
