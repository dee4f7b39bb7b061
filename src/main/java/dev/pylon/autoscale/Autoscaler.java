package dev.pylon.autoscale;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Knative's KPA decision as a pure function: a window of load, the ready instance count and the
 * previous state in; a desired count, a reason and the next state out. No clock, no threads: the
 * caller passes {@code now}, so tests replay load with a fake clock.
 *
 * <p>The steps, in Knative's order ({@code pkg/autoscaler/scaling/autoscaler.go}, then the KPA
 * reconciler's bounds and scale-to-zero):
 *
 * <ol>
 *   <li>wanted = ceil(average / (target x utilization)), for the stable and the panic window;
 *   <li>rate limits: at most ceil(maxScaleUpRate x ready), at least floor(ready /
 *       maxScaleDownRate), with ready counted as at least 1;
 *   <li>panic starts when panic-wanted / ready reaches the threshold (2x), and ends only once a
 *       whole stable window passed since the threshold was last reached; while panicking the count
 *       is the larger of the two windows' and never goes down;
 *   <li>scale-down delay: the highest count wanted within the delay;
 *   <li>initial scale is a floor until first reached; then min/max bounds;
 *   <li>zero only when min is 0 and no traffic was seen for the stable window plus the grace period
 *       (or the pod retention, if longer); until then the last instance stays. A revision that has
 *       no instance at all (none ready, none starting) and no load stays at zero at once.
 * </ol>
 */
public final class Autoscaler {
  /** Absorbs float noise such as 21 / (30 x 0.7) = 1.0000000000000002 before ceil. */
  private static final double EPSILON = 1e-9;

  private final ScalingPolicy policy;

  public Autoscaler(ScalingPolicy policy) {
    this.policy = Objects.requireNonNull(policy, "policy");
  }

  public ScalingPolicy policy() {
    return policy;
  }

  /**
   * Decides how many instances the revision should have.
   *
   * @param now the current time (from the caller's clock)
   * @param stats the revision's load window as of {@code now}
   * @param readyInstances instances ready to serve now
   * @param state the state from the previous decision, or {@link ScalerState#start}
   */
  public Decision decide(Instant now, WindowStats stats, int readyInstances, ScalerState state) {
    return decide(now, stats, readyInstances, readyInstances, state);
  }

  /**
   * Decides how many instances the revision should have, knowing how many it has in all.
   *
   * @param now the current time (from the caller's clock)
   * @param stats the revision's load window as of {@code now}
   * @param readyInstances instances ready to serve now
   * @param runningInstances instances the revision has, ready or still starting (restarting after a
   *     crash, adopted from a previous daemon): a revision with none of them and no load stays at
   *     zero at once, one whose instances are only starting is not taken to zero under them
   * @param state the state from the previous decision, or {@link ScalerState#start}
   */
  public Decision decide(
      Instant now, WindowStats stats, int readyInstances, int runningInstances, ScalerState state) {
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(stats, "stats");
    Objects.requireNonNull(state, "state");
    if (readyInstances < 0) {
      throw new IllegalArgumentException("readyInstances < 0: " + readyInstances);
    }
    if (runningInstances < readyInstances) {
      throw new IllegalArgumentException(
          "runningInstances " + runningInstances + " < readyInstances " + readyInstances);
    }
    if (policy.pinned()) {
      return new Decision(
          policy.minScale(),
          Decision.Mode.PINNED,
          "pinned at " + policy.minScale() + " (" + policy.decidedBy() + ")",
          state);
    }
    Instant lastActive = state.lastActive();
    if (stats.lastActivity().isPresent() && stats.lastActivity().get().isAfter(lastActive)) {
      lastActive = stats.lastActivity().get();
    }
    boolean reachedInitial =
        state.reachedInitialScale() || readyInstances >= policy.startingInstances();
    if (!stats.hasData()) {
      int keep =
          policy.bound(
              state.reachedInitialScale()
                  ? runningInstances
                  : Math.max(runningInstances, policy.initialScale()));
      return new Decision(
          keep,
          Decision.Mode.NO_DATA,
          "no load samples within the "
              + seconds(policy.stableWindow())
              + " window yet: keeping "
              + keep,
          new ScalerState(
              lastActive,
              state.panicStarted(),
              state.lastPanicTrigger(),
              state.maxPanicInstances(),
              reachedInitial,
              state.recentWants()));
    }

    double target = policy.targetPerInstance();
    String unit = policy.metric().unit();
    double ready = Math.max(1, readyInstances);
    int maxUp = (int) Math.min(Integer.MAX_VALUE, Math.ceil(policy.maxScaleUpRate() * ready));
    int maxDown = (int) Math.floor(ready / policy.maxScaleDownRate());
    int stableWanted = wanted(stats.stableAverage(), target);
    int panicWanted = wanted(stats.panicAverage(), target);
    int stableCount = Math.min(Math.max(stableWanted, maxDown), maxUp);
    int panicCount = Math.min(Math.max(panicWanted, maxDown), maxUp);
    if (policy.activationScale() > 1) {
      if (stableWanted > 0 && stableCount < policy.activationScale()) {
        stableCount = policy.activationScale();
      }
      if (panicWanted > 0 && panicCount < policy.activationScale()) {
        panicCount = policy.activationScale();
      }
    }

    boolean overThreshold = panicWanted / ready >= policy.panicThreshold();
    Optional<Instant> panicStarted = state.panicStarted();
    Optional<Instant> lastTrigger = state.lastPanicTrigger();
    int maxPanic = state.maxPanicInstances();
    boolean panicBegins = false;
    boolean panicEnded = false;
    if (overThreshold) {
      if (panicStarted.isEmpty()) {
        panicStarted = Optional.of(now);
        panicBegins = true;
      }
      lastTrigger = Optional.of(now);
    } else if (panicStarted.isPresent()
        && lastTrigger.orElse(panicStarted.get()).plus(policy.stableWindow()).isBefore(now)) {
      panicStarted = Optional.empty();
      lastTrigger = Optional.empty();
      maxPanic = 0;
      panicEnded = true;
    }

    StringBuilder reason = new StringBuilder();
    Decision.Mode mode;
    int desired;
    if (panicStarted.isPresent()) {
      mode = Decision.Mode.PANIC;
      desired = Math.max(stableCount, panicCount);
      int held = Math.max(desired, maxPanic);
      if (panicBegins || overThreshold) {
        reason
            .append("panic: ")
            .append(averaged(policy.panicWindow(), stats.panicAverage(), unit))
            .append(" wants ")
            .append(panicWanted)
            .append(" at ")
            .append(number(target))
            .append(" each, >= ")
            .append(number(policy.panicThreshold()))
            .append("x the ")
            .append(readyInstances)
            .append(" ready");
      } else {
        Duration left = Duration.between(now, lastTrigger.orElse(now).plus(policy.stableWindow()));
        reason
            .append("panic since ")
            .append(seconds(Duration.between(panicStarted.get(), now)))
            .append(" ago, ends ")
            .append(seconds(left.isNegative() ? Duration.ZERO : left))
            .append(" from now unless demand returns: ")
            .append(averaged(policy.stableWindow(), stats.stableAverage(), unit))
            .append(" wants ")
            .append(stableWanted)
            .append(", ")
            .append(averaged(policy.panicWindow(), stats.panicAverage(), unit))
            .append(" wants ")
            .append(panicWanted);
      }
      if (held > desired) {
        reason.append("; no scale-down while panicking, holding ").append(held);
      }
      desired = held;
      maxPanic = held;
    } else {
      mode = Decision.Mode.STABLE;
      desired = stableCount;
      reason
          .append(panicEnded ? "panic over; stable: " : "stable: ")
          .append(averaged(policy.stableWindow(), stats.stableAverage(), unit))
          .append(" / ")
          .append(number(target))
          .append(" per instance wants ")
          .append(stableWanted);
    }
    int unlimited =
        mode == Decision.Mode.PANIC ? Math.max(stableWanted, panicWanted) : stableWanted;
    if (unlimited > maxUp && desired == maxUp) {
      reason
          .append("; scale-up limited to ")
          .append(number(policy.maxScaleUpRate()))
          .append("x the ")
          .append(readyInstances)
          .append(" ready");
    }
    if (unlimited < maxDown && desired == maxDown) {
      reason
          .append("; scale-down limited to 1/")
          .append(number(policy.maxScaleDownRate()))
          .append(" of the ")
          .append(readyInstances)
          .append(" ready");
    }

    List<ScalerState.Want> wants = state.recentWants();
    if (policy.scaleDownDelay().isPositive()) {
      Instant horizon = now.minus(policy.scaleDownDelay());
      List<ScalerState.Want> kept = new ArrayList<>();
      int highest = desired;
      for (ScalerState.Want w : wants) {
        if (w.at().isAfter(horizon)) {
          kept.add(w);
          highest = Math.max(highest, w.instances());
        }
      }
      kept.add(new ScalerState.Want(now, desired));
      wants = kept;
      if (highest > desired) {
        reason
            .append("; scale-down delayed ")
            .append(seconds(policy.scaleDownDelay()))
            .append(": ")
            .append(highest)
            .append(" was wanted within it");
        desired = highest;
      }
    }

    if (!reachedInitial && desired < policy.initialScale()) {
      desired = policy.initialScale();
      reason.append("; kept at initial scale ").append(desired).append(" until first reached");
    }
    int bounded = policy.bound(desired);
    if (bounded > desired) {
      reason.append("; raised to min-scale ").append(bounded);
    } else if (bounded < desired) {
      reason.append("; capped at max-scale ").append(bounded);
    }
    desired = bounded;

    if (desired == 0) {
      Duration idle = Duration.between(lastActive, now);
      Duration needed = policy.stableWindow().plus(policy.lastInstanceKeptFor());
      String rule =
          "stable window "
              + seconds(policy.stableWindow())
              + " + "
              + (policy.scaleToZeroPodRetention().compareTo(policy.scaleToZeroGracePeriod()) > 0
                  ? "pod retention "
                  : "grace ")
              + seconds(policy.lastInstanceKeptFor());
      if (idle.compareTo(needed) >= 0 || (runningInstances == 0 && unlimited == 0)) {
        mode = Decision.Mode.ZERO;
        reason =
            new StringBuilder("scale to zero: no traffic for ")
                .append(seconds(idle))
                .append(" (")
                .append(rule)
                .append(')');
      } else {
        desired = 1;
        mode = Decision.Mode.IDLE;
        reason =
            new StringBuilder("idle: no traffic for ")
                .append(seconds(idle))
                .append("; keeping the last instance until ")
                .append(seconds(needed))
                .append(" (")
                .append(rule)
                .append(')');
      }
    }
    reason.append(" -> ").append(desired);
    return new Decision(
        desired,
        mode,
        reason.toString(),
        new ScalerState(lastActive, panicStarted, lastTrigger, maxPanic, reachedInitial, wants));
  }

  private static int wanted(double average, double target) {
    double exact = average / target;
    return (int) Math.min(Integer.MAX_VALUE, Math.ceil(exact - EPSILON));
  }

  /** "6 s average 99.4 in flight": which window, what it measured, in the metric's unit. */
  private static String averaged(Duration window, double average, String unit) {
    return seconds(window) + " average " + number(average) + " " + unit;
  }

  static String number(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e9) {
      return Long.toString((long) v);
    }
    return String.format(Locale.ROOT, "%.1f", v);
  }

  static String seconds(Duration d) {
    long millis = d.toMillis();
    if (millis % 1000 == 0) {
      return millis / 1000 + " s";
    }
    return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
  }
}
