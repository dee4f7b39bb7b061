package dev.pylon.autoscale;

import java.util.Objects;

/**
 * One autoscaling decision for one revision.
 *
 * @param desiredInstances how many instances should run
 * @param mode which rule decided, for displays and tests
 * @param reason the decision in words a person can check, with the numbers it used
 * @param state what to pass to the next {@link Autoscaler#decide} call
 */
public record Decision(int desiredInstances, Mode mode, String reason, ScalerState state) {

  /** Which rule decided. */
  public enum Mode {
    /** The stable window's average decided. */
    STABLE,
    /** Panic mode: the short window decided, and the count does not go down. */
    PANIC,
    /** The stable window is empty, but the last instance stays for the grace period. */
    IDLE,
    /** No traffic for the stable window and the grace period: zero instances. */
    ZERO,
    /** The count is pinned (manual scaling, or min equals max). */
    PINNED,
    /** No samples within the stable window: keep what runs. */
    NO_DATA
  }

  public Decision {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(state, "state");
    if (desiredInstances < 0) {
      throw new IllegalArgumentException("desiredInstances < 0: " + desiredInstances);
    }
  }

  public boolean panicking() {
    return mode == Mode.PANIC;
  }

  @Override
  public String toString() {
    return desiredInstances + " (" + reason + ")";
  }
}
