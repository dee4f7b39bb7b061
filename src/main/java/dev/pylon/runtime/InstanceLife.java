package dev.pylon.runtime;

import dev.pylon.runtime.InstanceStatus.State;
import java.time.Instant;
import java.util.Optional;

/**
 * Where one instance is in its life, as a value ({@link InstanceLifecycle} makes the next one).
 *
 * @param state what {@code pylon instances} shows
 * @param attempt which start the current process is (0 before the first)
 * @param run whether the current attempt's process is being started, runs or has exited
 * @param port the current (or last) attempt's port, 0 before the first start
 * @param since when {@code state} was entered
 * @param startedAt when the current attempt's process was started, if it was
 * @param start whether the current attempt passed its start-up probe, or was failed for not doing
 *     so in time
 * @param ending why Pylon is ending the current attempt, if it is
 * @param readiness the current attempt's readiness results in a row
 * @param liveness the current attempt's liveness results in a row
 * @param lastProbe what the latest probe of the current attempt found
 * @param lastExit how the last process ended ("" when none has)
 * @param backoff the restart back-off
 */
public record InstanceLife(
    State state,
    int attempt,
    Run run,
    int port,
    Instant since,
    Optional<Instant> startedAt,
    Start start,
    Ending ending,
    ProbeSchedule.Tally readiness,
    ProbeSchedule.Tally liveness,
    String lastProbe,
    String lastExit,
    RestartBackoff.State backoff) {

  /** The current attempt's process. */
  public enum Run {
    /** Being started (or not started yet). */
    LAUNCHING,
    RUNNING,
    EXITED
  }

  /** The current attempt's start-up. */
  public enum Start {
    PENDING,
    PASSED,
    /** Failed for not passing its start-up probe in time (and reported so). */
    TIMED_OUT
  }

  /** Why Pylon ends the current attempt. */
  public enum Ending {
    NONE,
    LIVENESS,
    MEMORY
  }

  /** An instance before its first start. */
  public static InstanceLife initial(Instant now, RestartBackoff.Policy backoff) {
    return new InstanceLife(
        State.STARTING,
        0,
        Run.LAUNCHING,
        0,
        now,
        Optional.empty(),
        Start.PENDING,
        Ending.NONE,
        ProbeSchedule.Tally.NONE,
        ProbeSchedule.Tally.NONE,
        "not probed yet",
        "",
        RestartBackoff.State.start(backoff));
  }

  /** Whether the router may send it traffic. */
  public boolean ready() {
    return state == State.READY && run == Run.RUNNING && ending == Ending.NONE;
  }

  /** Whether it was taken out of its set (scaled down or stopped). */
  public boolean stopped() {
    return state == State.STOPPED;
  }

  InstanceLife enter(State next, Instant now) {
    return next == state ? this : with(b -> b.state = next).withSince(now);
  }

  private InstanceLife withSince(Instant now) {
    return with(b -> b.since = now);
  }

  InstanceLife with(java.util.function.Consumer<Builder> change) {
    Builder b = new Builder(this);
    change.accept(b);
    return b.build();
  }

  /** The components, changeable, so each step names only what it changes. */
  static final class Builder {
    State state;
    int attempt;
    Run run;
    int port;
    Instant since;
    Optional<Instant> startedAt;
    Start start;
    Ending ending;
    ProbeSchedule.Tally readiness;
    ProbeSchedule.Tally liveness;
    String lastProbe;
    String lastExit;
    RestartBackoff.State backoff;

    Builder(InstanceLife l) {
      state = l.state;
      attempt = l.attempt;
      run = l.run;
      port = l.port;
      since = l.since;
      startedAt = l.startedAt;
      start = l.start;
      ending = l.ending;
      readiness = l.readiness;
      liveness = l.liveness;
      lastProbe = l.lastProbe;
      lastExit = l.lastExit;
      backoff = l.backoff;
    }

    InstanceLife build() {
      return new InstanceLife(
          state, attempt, run, port, since, startedAt, start, ending, readiness, liveness,
          lastProbe, lastExit, backoff);
    }
  }
}
