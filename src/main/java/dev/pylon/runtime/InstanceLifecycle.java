package dev.pylon.runtime;

import dev.pylon.runtime.InstanceEvent.Kind;
import dev.pylon.runtime.InstanceLife.Ending;
import dev.pylon.runtime.InstanceLife.Run;
import dev.pylon.runtime.InstanceLife.Start;
import dev.pylon.runtime.InstanceStatus.State;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An instance's life cycle as a pure function: its {@link InstanceLife} and one {@link Input} (a
 * process started or exited, a timer fired, a probe answered, memory ran over, a scale-down) in;
 * the next life and the {@link Action}s to carry out (start a process, schedule a timer, run a
 * probe, report an event, change the ready list, signal the process) out. No clock, no threads, no
 * processes: {@link InstanceSet} carries the actions out and feeds the results back, and tests
 * replay event sequences with made-up times.
 *
 * <p>Inputs about an attempt other than the current one, or about a process that is not running,
 * change nothing: a timer or a probe that outlived its process is simply ignored.
 */
public final class InstanceLifecycle {
  /** The timers an instance's attempt has. */
  public enum Timer {
    /** The next start-up check (or the start-up deadline). */
    STARTUP,
    READINESS,
    LIVENESS,
    /** SIGKILL after the grace period, for an attempt that was sent SIGTERM. */
    KILL
  }

  /** What happened. */
  public sealed interface Input {
    /** Start a new attempt on {@code port} (first start, or the restart delay is over). */
    record Launch(int port) implements Input {}

    /** The attempt's process runs: started now, or {@code adopted} from an earlier Pylon. */
    record Started(int attempt, long pid, boolean adopted) implements Input {
      public Started(int attempt, long pid) {
        this(attempt, pid, false);
      }
    }

    record TimerFired(Timer timer, int attempt) implements Input {}

    record Probed(ProbeSchedule.Kind kind, int attempt, boolean passed, String detail)
        implements Input {}

    /** The attempt went over its memory limit; {@code detail} is added to the event. */
    record OverMemory(int attempt, String detail) implements Input {}

    /** The attempt's process ended (status -1: it never ran; {@code how} says why). */
    record Exited(int attempt, int status, String how, boolean memoryLimitHit) implements Input {}

    /** Taken out of the set: no traffic now, then a graceful stop. */
    record Retire() implements Input {}

    /** Its process is gone after a stop; {@code setsLastExit}: {@code how} is how it ended. */
    record Stopped(String how, boolean setsLastExit) implements Input {}
  }

  /** What to do, in order. */
  public sealed interface Action {
    record StartProcess(int attempt, int port) implements Action {}

    record Schedule(Timer timer, int attempt, Duration delay) implements Action {}

    /** Start a new attempt after {@code delay} (by feeding {@link Input.Launch}). */
    record RestartAfter(Duration delay) implements Action {}

    record RunProbe(ProbeSchedule.Kind kind, int attempt) implements Action {}

    record Emit(Kind kind, String detail) implements Action {}

    /** Whether the instance is ready changed: publish the set's ready list. */
    record ReadyChanged() implements Action {}

    /** SIGTERM to the current process (it should drain and exit). */
    record Terminate() implements Action {}

    /** SIGKILL to the current process. */
    record Kill() implements Action {}

    /** Terminate, wait up to the grace period, kill; then feed {@link Input.Stopped}. */
    record StopGracefully() implements Action {}

    /** The instance is ready: whoever waits for a first ready instance may go on. */
    record FirstReady() implements Action {}

    /** The instance's very first start failed (for {@link InstanceSet#awaitFirstReady}). */
    record FirstStartFailed(String detail, int status) implements Action {}
  }

  /** The next life and what to do. */
  public record Step(InstanceLife life, List<Action> actions) {
    public Step {
      actions = List.copyOf(actions);
    }
  }

  private final ProbeSchedule probes;
  private final RestartBackoff.Policy backoff;
  private final int crashLoopAfter;
  private final Duration grace;
  private final long memoryLimitMiB;

  public InstanceLifecycle(SupervisorOptions options) {
    this(
        ProbeSchedule.of(options),
        options.restartBackoff(),
        options.crashLoopAfter(),
        options.grace(),
        options.memoryLimitMiB());
  }

  public InstanceLifecycle(
      ProbeSchedule probes,
      RestartBackoff.Policy backoff,
      int crashLoopAfter,
      Duration grace,
      long memoryLimitMiB) {
    this.probes = probes;
    this.backoff = backoff;
    this.crashLoopAfter = crashLoopAfter;
    this.grace = grace;
    this.memoryLimitMiB = memoryLimitMiB;
  }

  public ProbeSchedule probes() {
    return probes;
  }

  /** The life before the first start. */
  public InstanceLife initial(Instant now) {
    return InstanceLife.initial(now, backoff);
  }

  /** What {@code input} at {@code now} makes of {@code life}. */
  public Step next(InstanceLife life, Input input, Instant now) {
    List<Action> actions = new ArrayList<>();
    InstanceLife next =
        switch (input) {
          case Input.Launch launch -> launch(life, launch, now, actions);
          case Input.Started started -> started(life, started, now, actions);
          case Input.TimerFired timer -> timer(life, timer, now, actions);
          case Input.Probed probed -> probed(life, probed, now, actions);
          case Input.OverMemory over -> overMemory(life, over, actions);
          case Input.Exited exited -> exited(life, exited, now, actions);
          case Input.Retire retire -> retire(life, now, actions);
          case Input.Stopped stopped -> stopped(life, stopped, now, actions);
        };
    return new Step(next, actions);
  }

  private InstanceLife launch(InstanceLife life, Input.Launch in, Instant now, List<Action> out) {
    if (life.stopped() || life.attempt() > 0 && life.run() != Run.EXITED) {
      return life; // stopped meanwhile, or a process is still there
    }
    int attempt = life.attempt() + 1;
    out.add(new Action.StartProcess(attempt, in.port()));
    return life.enter(State.STARTING, now)
        .with(
            b -> {
              b.attempt = attempt;
              b.run = Run.LAUNCHING;
              b.port = in.port();
              b.startedAt = Optional.empty();
              b.start = Start.PENDING;
              b.ending = Ending.NONE;
              b.readiness = ProbeSchedule.Tally.NONE;
              b.liveness = ProbeSchedule.Tally.NONE;
              b.lastProbe = "not probed yet";
            });
  }

  private InstanceLife started(InstanceLife life, Input.Started in, Instant now, List<Action> out) {
    if (in.attempt() != life.attempt() || life.run() != Run.LAUNCHING) {
      return life;
    }
    InstanceLife running = life.with(b -> b.run = Run.RUNNING);
    if (life.stopped()) {
      out.add(new Action.Kill()); // scaled down while it was starting
      return running;
    }
    out.add(
        in.adopted()
            ? new Action.Emit(
                Kind.ADOPTED,
                "pid " + in.pid() + ", port " + life.port() + ": started by an earlier Pylon")
            : new Action.Emit(
                Kind.STARTING,
                "pid " + in.pid() + ", port " + life.port() + " (start " + life.attempt() + ")"));
    out.add(
        new Action.Schedule(
            Timer.STARTUP, life.attempt(), probes.first(ProbeSchedule.Kind.STARTUP)));
    return running.with(b -> b.startedAt = Optional.of(now));
  }

  /** Whether an input about {@code attempt} concerns the process that runs now. */
  private static boolean current(InstanceLife life, int attempt) {
    return attempt == life.attempt() && life.run() == Run.RUNNING && !life.stopped();
  }

  private InstanceLife timer(
      InstanceLife life, Input.TimerFired in, Instant now, List<Action> out) {
    if (!current(life, in.attempt())) {
      return life;
    }
    switch (in.timer()) {
      case STARTUP -> {
        if (life.start() != Start.PENDING) {
          return life;
        }
        if (probes.startTimedOut(life.startedAt().orElse(now), now)) {
          String detail =
              (probes.startsOnTcp()
                      ? "did not accept connections on port " + life.port()
                      : "did not pass its start-up probe ("
                          + life.lastProbe()
                          + ") on port "
                          + life.port())
                  + " within "
                  + describe(probes.startTimeout())
                  + "; killing it";
          out.add(new Action.Emit(Kind.FAILED_TO_START, detail));
          if (life.attempt() == 1) {
            out.add(new Action.FirstStartFailed(detail, -1));
          }
          out.add(new Action.Kill()); // its exit restarts it
          return life.with(b -> b.start = Start.TIMED_OUT);
        }
        out.add(new Action.RunProbe(ProbeSchedule.Kind.STARTUP, life.attempt()));
      }
      case READINESS -> {
        if (life.ending() == Ending.NONE) {
          out.add(new Action.RunProbe(ProbeSchedule.Kind.READINESS, life.attempt()));
        }
      }
      case LIVENESS -> {
        if (life.ending() == Ending.NONE && probes.liveness().isPresent()) {
          out.add(new Action.RunProbe(ProbeSchedule.Kind.LIVENESS, life.attempt()));
        }
      }
      case KILL -> out.add(new Action.Kill());
    }
    return life;
  }

  private InstanceLife probed(InstanceLife life, Input.Probed in, Instant now, List<Action> out) {
    if (!current(life, in.attempt())) {
      return life;
    }
    int attempt = life.attempt();
    return switch (in.kind()) {
      case STARTUP -> {
        if (life.start() != Start.PENDING) {
          yield life;
        }
        InstanceLife probed = life.with(b -> b.lastProbe = in.detail());
        if (!in.passed()) {
          out.add(
              new Action.Schedule(Timer.STARTUP, attempt, probes.next(ProbeSchedule.Kind.STARTUP)));
          yield probed;
        }
        InstanceLife ready =
            becomeReady(
                probed.with(b -> b.start = Start.PASSED), startupDetail(probed, now), now, out);
        out.add(
            new Action.Schedule(
                Timer.READINESS, attempt, probes.first(ProbeSchedule.Kind.READINESS)));
        if (probes.liveness().isPresent()) {
          out.add(
              new Action.Schedule(
                  Timer.LIVENESS, attempt, probes.first(ProbeSchedule.Kind.LIVENESS)));
        }
        yield ready;
      }
      case READINESS -> {
        if (life.ending() != Ending.NONE || life.start() != Start.PASSED) {
          yield life;
        }
        ProbeSchedule.Tally tally = life.readiness().after(in.passed());
        InstanceLife probed =
            life.with(
                b -> {
                  b.lastProbe = in.detail();
                  b.readiness = tally;
                });
        InstanceLife after =
            switch (probes.readiness(life.ready(), tally)) {
              case UNCHANGED -> probed;
              case READY_AGAIN ->
                  becomeReady(probed, "readiness probe passes again: " + in.detail(), now, out);
              case UNREADY -> {
                out.add(new Action.ReadyChanged()); // traffic stops before anyone hears of it
                out.add(
                    new Action.Emit(
                        Kind.UNREADY,
                        "readiness probe failed "
                            + tally.failures()
                            + " times in a row: "
                            + in.detail()));
                yield probed.enter(State.UNREADY, now);
              }
            };
        out.add(
            new Action.Schedule(
                Timer.READINESS, attempt, probes.next(ProbeSchedule.Kind.READINESS)));
        yield after;
      }
      case LIVENESS -> {
        if (life.ending() != Ending.NONE || probes.liveness().isEmpty()) {
          yield life;
        }
        ProbeSchedule.Tally tally = life.liveness().after(in.passed());
        InstanceLife probed = life.with(b -> b.liveness = tally);
        if (!probes.livenessFails(tally)) {
          out.add(
              new Action.Schedule(
                  Timer.LIVENESS, attempt, probes.next(ProbeSchedule.Kind.LIVENESS)));
          yield probed;
        }
        out.add(
            new Action.Emit(
                Kind.LIVENESS_FAILED,
                "liveness probe failed "
                    + tally.failures()
                    + " times in a row ("
                    + in.detail()
                    + "); restarting it"));
        if (life.ready()) {
          out.add(new Action.ReadyChanged());
        }
        out.add(new Action.Terminate());
        out.add(new Action.Schedule(Timer.KILL, attempt, grace));
        yield probed.with(b -> b.ending = Ending.LIVENESS);
      }
    };
  }

  private InstanceLife becomeReady(
      InstanceLife life, String detail, Instant now, List<Action> out) {
    out.add(new Action.Emit(Kind.READY, detail));
    out.add(new Action.ReadyChanged());
    out.add(new Action.FirstReady());
    return life.enter(State.READY, now);
  }

  private String startupDetail(InstanceLife life, Instant now) {
    Duration took = Duration.between(life.startedAt().orElse(now), now);
    String what =
        probes.startsOnTcp()
            ? "accepting connections on port " + life.port()
            : life.lastProbe() + " on port " + life.port();
    return what + " after " + took.toMillis() + " ms";
  }

  private InstanceLife overMemory(InstanceLife life, Input.OverMemory in, List<Action> out) {
    if (!current(life, in.attempt()) || life.ending() == Ending.MEMORY) {
      return life;
    }
    InstanceLife over = reportMemoryKill(life, in.detail(), out);
    out.add(new Action.Kill());
    return over;
  }

  private InstanceLife reportMemoryKill(InstanceLife life, String more, List<Action> out) {
    if (life.ready()) {
      out.add(new Action.ReadyChanged());
    }
    out.add(new Action.Emit(Kind.MEMORY_LIMIT, memoryLimitDetail() + more));
    return life.with(b -> b.ending = Ending.MEMORY);
  }

  private String memoryLimitDetail() {
    return "killed: memory limit (" + memoryLimitMiB + " MiB)";
  }

  private InstanceLife exited(InstanceLife life, Input.Exited in, Instant now, List<Action> out) {
    if (in.attempt() != life.attempt() || life.run() == Run.EXITED) {
      return life;
    }
    if (life.stopped()) {
      return life.with(b -> b.run = Run.EXITED);
    }
    InstanceLife ended = life;
    if (ended.ending() != Ending.MEMORY && in.memoryLimitHit()) {
      ended = reportMemoryKill(ended, "", out); // the kernel killed it before the watch looked
    }
    String how =
        switch (ended.ending()) {
          case MEMORY -> memoryLimitDetail();
          case LIVENESS -> "ended for failing its liveness probe (" + in.how() + ")";
          case NONE -> in.how();
        };
    if (ended.ready()) {
      out.add(new Action.ReadyChanged());
    }
    out.add(new Action.Emit(Kind.EXITED, how));
    if (ended.start() == Start.PENDING) {
      String detail =
          how
              + (probes.startsOnTcp()
                  ? " before accepting connections on port "
                  : " before passing its start-up probe on port ")
              + ended.port();
      out.add(new Action.Emit(Kind.FAILED_TO_START, detail));
      if (ended.attempt() == 1) {
        out.add(new Action.FirstStartFailed(detail, in.status()));
      }
    }
    RestartBackoff.State backedOff =
        ended.backoff().afterExit(backoff, ended.startedAt().orElse(now), now);
    int inARow = backedOff.failuresInARow();
    State state;
    if (inARow >= crashLoopAfter) {
      state = State.CRASH_LOOP;
      if (inARow == crashLoopAfter) {
        out.add(
            new Action.Emit(
                Kind.CRASH_LOOP, inARow + " exits in a row without staying up; last: " + how));
      }
    } else {
      state = State.BACKOFF;
    }
    out.add(
        new Action.Emit(
            Kind.RESTARTING,
            "in " + describe(backedOff.delay()) + " (exit " + inARow + " in a row)"));
    out.add(new Action.RestartAfter(backedOff.delay()));
    return ended
        .with(
            b -> {
              b.run = Run.EXITED;
              b.lastExit = how;
              b.backoff = backedOff;
            })
        .enter(state, now);
  }

  private InstanceLife retire(InstanceLife life, Instant now, List<Action> out) {
    if (life.stopped()) {
      return life;
    }
    out.add(new Action.ReadyChanged());
    if (life.run() != Run.RUNNING) {
      out.add(new Action.Emit(Kind.STOPPED, "scaled down"));
    } else {
      out.add(new Action.StopGracefully());
    }
    return life.enter(State.STOPPED, now);
  }

  private InstanceLife stopped(InstanceLife life, Input.Stopped in, Instant now, List<Action> out) {
    out.add(new Action.Emit(Kind.STOPPED, in.how()));
    InstanceLife stopped = life.enter(State.STOPPED, now);
    return in.setsLastExit() ? stopped.with(b -> b.lastExit = in.how()) : stopped;
  }

  /** "250 ms", "10 s", "5 min": a duration the way events say it. */
  static String describe(Duration duration) {
    long millis = duration.toMillis();
    if (millis % 1000 != 0 || millis == 0) {
      return millis + " ms";
    }
    long seconds = millis / 1000;
    return seconds % 60 == 0 && seconds >= 60 ? seconds / 60 + " min" : seconds + " s";
  }
}
