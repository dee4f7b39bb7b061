package dev.pylon.runtime;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * When an instance's probes run and what their results mean, as Kubernetes schedules them: the
 * start-up probe every {@code startInterval} from the start until it passes or {@code startTimeout}
 * has passed; then readiness and liveness, each first after its initial delay plus one period, then
 * every period; readiness fails after {@code failureThreshold} failures in a row and passes again
 * after {@code successThreshold} successes; liveness fails after {@code failureThreshold}. Pure:
 * time comes in as arguments.
 *
 * @param startInterval time between start-up checks
 * @param startTimeout how long an instance may take to pass its start-up probe
 * @param startup the probe used while starting
 * @param readiness the readiness probe, run once started
 * @param liveness the liveness probe, if any
 */
public record ProbeSchedule(
    Duration startInterval,
    Duration startTimeout,
    Probe startup,
    Probe readiness,
    Optional<Probe> liveness) {

  /** Which probe. */
  public enum Kind {
    STARTUP,
    READINESS,
    LIVENESS
  }

  /** Results in a row: successes since the last failure, failures since the last success. */
  public record Tally(int successes, int failures) {
    public static final Tally NONE = new Tally(0, 0);

    public Tally after(boolean passed) {
      return passed ? new Tally(successes + 1, 0) : new Tally(0, failures + 1);
    }
  }

  /** What a readiness result changes. */
  public enum Verdict {
    UNCHANGED,
    READY_AGAIN,
    UNREADY
  }

  /** The schedule {@code options} describe; the start-up probe is readiness's unless set. */
  public static ProbeSchedule of(SupervisorOptions options) {
    return new ProbeSchedule(
        options.readinessInterval(),
        options.startTimeout(),
        options.startup().orElse(options.readiness()),
        options.readiness(),
        options.liveness());
  }

  /** The probe of this kind (liveness: only when there is one). */
  public Probe probe(Kind kind) {
    return switch (kind) {
      case STARTUP -> startup;
      case READINESS -> readiness;
      case LIVENESS -> liveness.orElseThrow();
    };
  }

  /** Whether start-up only waits for the port to accept connections. */
  public boolean startsOnTcp() {
    return startup.type() == Probe.Type.TCP;
  }

  /**
   * Whether an instance started at {@code startedAt} has had all its start-up time at {@code now}.
   */
  public boolean startTimedOut(Instant startedAt, Instant now) {
    return Duration.between(startedAt, now).compareTo(startTimeout) >= 0;
  }

  /** When the next check of {@code kind} runs, counted from the last one of that kind. */
  public Duration next(Kind kind) {
    return switch (kind) {
      case STARTUP -> startInterval;
      case READINESS -> readiness.period();
      case LIVENESS -> liveness.orElseThrow().period();
    };
  }

  /** When the first check of {@code kind} runs, counted from the start (startup) or from ready. */
  public Duration first(Kind kind) {
    return switch (kind) {
      case STARTUP -> startInterval;
      case READINESS -> readiness.initialDelay().plus(readiness.period());
      case LIVENESS -> {
        Probe probe = liveness.orElseThrow();
        yield probe.initialDelay().plus(probe.period());
      }
    };
  }

  /** What readiness results {@code tally} (the latest included) mean for an instance. */
  public Verdict readiness(boolean ready, Tally tally) {
    if (ready && tally.failures() >= readiness.failureThreshold()) {
      return Verdict.UNREADY;
    }
    if (!ready && tally.successes() >= readiness.successThreshold()) {
      return Verdict.READY_AGAIN;
    }
    return Verdict.UNCHANGED;
  }

  /** Whether liveness results {@code tally} (the latest included) mean the instance must end. */
  public boolean livenessFails(Tally tally) {
    return liveness.isPresent() && tally.failures() >= liveness.get().failureThreshold();
  }
}
