package dev.pylon.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pylon.runtime.InstanceEvent.Kind;
import dev.pylon.runtime.InstanceLifecycle.Action;
import dev.pylon.runtime.InstanceLifecycle.Input;
import dev.pylon.runtime.InstanceLifecycle.Timer;
import dev.pylon.runtime.InstanceStatus.State;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The instance life cycle as event sequences on a made-up clock: no processes, no sockets. */
class InstanceLifecycleTest {
  private static final int PORT = 8000;
  private static final Duration INTERVAL = Duration.ofMillis(50);

  /** One instance's life, fed one input at a time; {@link #actions} holds the last step's. */
  private static final class Life {
    final InstanceLifecycle lifecycle;
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    InstanceLife life;
    List<Action> actions = List.of();

    Life(SupervisorOptions options) {
      lifecycle = new InstanceLifecycle(options);
      life = lifecycle.initial(now);
    }

    Life feed(Input input) {
      InstanceLifecycle.Step step = lifecycle.next(life, input, now);
      life = step.life();
      actions = step.actions();
      return this;
    }

    Life after(Duration d) {
      now = now.plus(d);
      return this;
    }

    /** Launched and running, not yet probed. */
    Life running() {
      return feed(new Input.Launch(PORT)).feed(new Input.Started(life.attempt(), 42));
    }

    /** Running and through its start-up probe. */
    Life ready() {
      running().after(INTERVAL).feed(new Input.TimerFired(Timer.STARTUP, life.attempt()));
      return feed(probed(ProbeSchedule.Kind.STARTUP, true, "port 8000 accepts connections"));
    }

    Input.Probed probed(ProbeSchedule.Kind kind, boolean passed, String detail) {
      return new Input.Probed(kind, life.attempt(), passed, detail);
    }

    Input.Exited exit(int status, String how) {
      return new Input.Exited(life.attempt(), status, how, false);
    }

    List<String> events() {
      return actions.stream()
          .filter(a -> a instanceof Action.Emit)
          .map(a -> ((Action.Emit) a).kind() + ": " + ((Action.Emit) a).detail())
          .toList();
    }
  }

  private static SupervisorOptions options() {
    return SupervisorOptions.defaults();
  }

  @Test
  void aLaunchStartsTheFirstAttemptAndTheStartupProbeFollowsAfterOneInterval() {
    Life life = new Life(options());

    life.feed(new Input.Launch(PORT));
    assertThat(life.actions).containsExactly(new Action.StartProcess(1, PORT));
    assertThat(life.life.state()).isEqualTo(State.STARTING);

    life.feed(new Input.Started(1, 42));
    assertThat(life.actions)
        .containsExactly(
            new Action.Emit(Kind.STARTING, "pid 42, port 8000 (start 1)"),
            new Action.Schedule(Timer.STARTUP, 1, INTERVAL));

    life.after(INTERVAL).feed(new Input.TimerFired(Timer.STARTUP, 1));
    assertThat(life.actions).containsExactly(new Action.RunProbe(ProbeSchedule.Kind.STARTUP, 1));
  }

  @Test
  void anAdoptedProcessIsSaidToBeAdoptedAndProbedLikeANewOne() {
    Life life = new Life(options());

    life.feed(new Input.Launch(PORT));
    life.feed(new Input.Started(1, 42, true));
    assertThat(life.actions)
        .containsExactly(
            new Action.Emit(Kind.ADOPTED, "pid 42, port 8000: started by an earlier Pylon"),
            new Action.Schedule(Timer.STARTUP, 1, INTERVAL));
    assertThat(life.life.state()).isEqualTo(State.STARTING);
  }

  @Test
  void aFailedStartupCheckIsRetriedAndAPassedOneMakesItReadyAndStartsReadinessAndLiveness() {
    Life life = new Life(options().withLiveness(Probe.http("/healthz")));
    life.running().after(INTERVAL);

    life.feed(life.probed(ProbeSchedule.Kind.STARTUP, false, "connect to port 8000 failed"));
    assertThat(life.actions).containsExactly(new Action.Schedule(Timer.STARTUP, 1, INTERVAL));
    assertThat(life.life.ready()).isFalse();

    life.after(Duration.ofMillis(100));
    life.feed(life.probed(ProbeSchedule.Kind.STARTUP, true, "port 8000 accepts connections"));
    assertThat(life.actions)
        .containsExactly(
            new Action.Emit(Kind.READY, "accepting connections on port 8000 after 150 ms"),
            new Action.ReadyChanged(),
            new Action.FirstReady(),
            new Action.Schedule(Timer.READINESS, 1, Duration.ofSeconds(10)),
            new Action.Schedule(Timer.LIVENESS, 1, Duration.ofSeconds(10)));
    assertThat(life.life.ready()).isTrue();
    assertThat(life.life.state()).isEqualTo(State.READY);
  }

  @Test
  void anHttpStartupProbeSaysWhatItGotWhenReadyOrTooLate() {
    Life ready = new Life(options().withStartup(Probe.http("/ready")));
    ready.running().after(INTERVAL);
    ready.feed(ready.probed(ProbeSchedule.Kind.STARTUP, true, "GET /ready answered 200"));
    assertThat(ready.events())
        .containsExactly("READY: GET /ready answered 200 on port 8000 after 50 ms");

    Life late =
        new Life(
            options().withStartup(Probe.http("/ready")).withStartTimeout(Duration.ofSeconds(5)));
    late.running().after(INTERVAL);
    late.feed(late.probed(ProbeSchedule.Kind.STARTUP, false, "GET /ready answered 500"));
    late.after(Duration.ofSeconds(5)).feed(new Input.TimerFired(Timer.STARTUP, 1));
    assertThat(late.events())
        .containsExactly(
            "FAILED_TO_START: did not pass its start-up probe (GET /ready answered 500) on port 8000"
                + " within 5 s; killing it");
  }

  @Test
  void anInstanceThatMissesItsStartDeadlineIsKilledAndItsExitReportsNoSecondFailure() {
    Life life = new Life(options().withStartTimeout(Duration.ofSeconds(2)));
    life.running();

    life.after(Duration.ofMillis(1999)).feed(new Input.TimerFired(Timer.STARTUP, 1));
    assertThat(life.actions).containsExactly(new Action.RunProbe(ProbeSchedule.Kind.STARTUP, 1));

    life.after(Duration.ofMillis(1)).feed(new Input.TimerFired(Timer.STARTUP, 1));
    String detail = "did not accept connections on port 8000 within 2 s; killing it";
    assertThat(life.actions)
        .containsExactly(
            new Action.Emit(Kind.FAILED_TO_START, detail),
            new Action.FirstStartFailed(detail, -1),
            new Action.Kill());

    life.feed(life.probed(ProbeSchedule.Kind.STARTUP, true, "late"));
    assertThat(life.actions).as("a probe that answers after the deadline").isEmpty();

    life.feed(life.exit(137, "killed by signal 9 (KILL)"));
    assertThat(life.events())
        .containsExactly(
            "EXITED: killed by signal 9 (KILL)", "RESTARTING: in 1 s (exit 1 in a row)");
  }

  @Test
  void anExitBeforeReadyIsAFailedStartOnlyTheFirstAttemptReportsToTheWaiter() {
    Life life = new Life(options());
    life.running();

    life.feed(life.exit(3, "exited with status 3"));
    String detail = "exited with status 3 before accepting connections on port 8000";
    assertThat(life.actions)
        .containsExactly(
            new Action.Emit(Kind.EXITED, "exited with status 3"),
            new Action.Emit(Kind.FAILED_TO_START, detail),
            new Action.FirstStartFailed(detail, 3),
            new Action.Emit(Kind.RESTARTING, "in 1 s (exit 1 in a row)"),
            new Action.RestartAfter(Duration.ofSeconds(1)));
    assertThat(life.life.state()).isEqualTo(State.BACKOFF);
    assertThat(life.life.lastExit()).isEqualTo("exited with status 3");

    life.after(Duration.ofSeconds(1)).running().feed(life.exit(3, "exited with status 3"));
    assertThat(life.actions).noneMatch(a -> a instanceof Action.FirstStartFailed);
    assertThat(life.events()).contains("FAILED_TO_START: " + detail);
  }

  @Test
  void exitsInARowDoubleTheDelayAndTheThirdIsACrashLoopSaidOnce() {
    Life life = new Life(options());
    List<String> restarts = new java.util.ArrayList<>();
    List<State> states = new java.util.ArrayList<>();
    int crashLoops = 0;
    for (int n = 0; n < 5; n++) {
      life.running().after(Duration.ofSeconds(1)).feed(life.exit(1, "exited with status 1"));
      restarts.add(life.events().getLast());
      states.add(life.life.state());
      crashLoops += (int) life.events().stream().filter(e -> e.startsWith("CRASH_LOOP")).count();
    }

    assertThat(restarts)
        .containsExactly(
            "RESTARTING: in 1 s (exit 1 in a row)",
            "RESTARTING: in 2 s (exit 2 in a row)",
            "RESTARTING: in 4 s (exit 3 in a row)",
            "RESTARTING: in 8 s (exit 4 in a row)",
            "RESTARTING: in 16 s (exit 5 in a row)");
    assertThat(states)
        .containsExactly(
            State.BACKOFF, State.BACKOFF, State.CRASH_LOOP, State.CRASH_LOOP, State.CRASH_LOOP);
    assertThat(crashLoops).isEqualTo(1);
    assertThat(life.life.attempt()).isEqualTo(5);
  }

  @Test
  void aRunThatLastedTheResetTimeStartsTheBackOffAgain() {
    Life life = new Life(options());
    life.running().feed(life.exit(1, "exited with status 1"));
    life.running().feed(life.exit(1, "exited with status 1"));

    life.ready().after(Duration.ofMinutes(1)).feed(life.exit(0, "exited with status 0"));

    assertThat(life.events())
        .containsExactly("EXITED: exited with status 0", "RESTARTING: in 1 s (exit 1 in a row)");
    assertThat(life.actions).contains(new Action.ReadyChanged());
  }

  @Test
  void readinessTakesItOutAfterTheFailureThresholdAndBackAfterTheSuccessThreshold() {
    Life life = new Life(options().withReadiness(Probe.http("/ready").withThresholds(2, 3)));
    life.ready();

    for (int n = 1; n <= 2; n++) {
      life.feed(life.probed(ProbeSchedule.Kind.READINESS, false, "GET /ready answered 503"));
      assertThat(life.actions)
          .containsExactly(new Action.Schedule(Timer.READINESS, 1, Duration.ofSeconds(10)));
    }
    life.feed(life.probed(ProbeSchedule.Kind.READINESS, false, "GET /ready answered 503"));
    assertThat(life.actions)
        .containsExactly(
            new Action.ReadyChanged(),
            new Action.Emit(
                Kind.UNREADY, "readiness probe failed 3 times in a row: GET /ready answered 503"),
            new Action.Schedule(Timer.READINESS, 1, Duration.ofSeconds(10)));
    assertThat(life.life.state()).isEqualTo(State.UNREADY);
    assertThat(life.life.ready()).isFalse();

    life.feed(life.probed(ProbeSchedule.Kind.READINESS, true, "GET /ready answered 200"));
    assertThat(life.life.ready()).isFalse();
    life.feed(life.probed(ProbeSchedule.Kind.READINESS, true, "GET /ready answered 200"));
    assertThat(life.events())
        .containsExactly("READY: readiness probe passes again: GET /ready answered 200");
    assertThat(life.life.ready()).isTrue();
  }

  @Test
  void aReadyInstanceThatPassesStaysAsItIs() {
    Life life = new Life(options());
    life.ready();
    InstanceLife before = life.life;

    life.feed(life.probed(ProbeSchedule.Kind.READINESS, true, "port 8000 accepts connections"));

    assertThat(life.actions)
        .containsExactly(new Action.Schedule(Timer.READINESS, 1, Duration.ofSeconds(10)));
    assertThat(life.life.state()).isEqualTo(before.state());
    assertThat(life.life.since()).isEqualTo(before.since());
  }

  @Test
  void failingLivenessEndsTheInstanceSigtermThenSigkillAfterTheGrace() {
    Life life =
        new Life(
            options()
                .withGrace(Duration.ofSeconds(3))
                .withLiveness(Probe.http("/alive").withThresholds(1, 2)));
    life.ready();

    life.feed(life.probed(ProbeSchedule.Kind.LIVENESS, false, "GET /alive answered 500"));
    assertThat(life.actions)
        .containsExactly(new Action.Schedule(Timer.LIVENESS, 1, Duration.ofSeconds(10)));
    life.feed(life.probed(ProbeSchedule.Kind.LIVENESS, false, "GET /alive answered 500"));
    assertThat(life.actions)
        .containsExactly(
            new Action.Emit(
                Kind.LIVENESS_FAILED,
                "liveness probe failed 2 times in a row (GET /alive answered 500); restarting it"),
            new Action.ReadyChanged(),
            new Action.Terminate(),
            new Action.Schedule(Timer.KILL, 1, Duration.ofSeconds(3)));
    assertThat(life.life.ready()).isFalse();

    life.feed(life.probed(ProbeSchedule.Kind.READINESS, true, "ok"));
    assertThat(life.actions).as("readiness of an instance being ended").isEmpty();

    life.feed(new Input.TimerFired(Timer.KILL, 1));
    assertThat(life.actions).containsExactly(new Action.Kill());

    life.feed(life.exit(137, "killed by signal 9 (KILL)"));
    assertThat(life.events().getFirst())
        .isEqualTo("EXITED: ended for failing its liveness probe (killed by signal 9 (KILL))");
  }

  @Test
  void goingOverMemoryKillsItAndItsExitSaysWhy() {
    Life life = new Life(options().withMemoryLimitMiB(64));
    life.ready();

    life.feed(new Input.OverMemory(1, "; it was using 100 MiB"));
    assertThat(life.actions)
        .containsExactly(
            new Action.ReadyChanged(),
            new Action.Emit(
                Kind.MEMORY_LIMIT, "killed: memory limit (64 MiB); it was using 100 MiB"),
            new Action.Kill());
    life.feed(new Input.OverMemory(1, "; it was using 120 MiB"));
    assertThat(life.actions).as("said once").isEmpty();

    life.feed(life.exit(137, "killed by signal 9 (KILL)"));
    assertThat(life.events().getFirst()).isEqualTo("EXITED: killed: memory limit (64 MiB)");
  }

  @Test
  void aKernelMemoryKillSeenOnlyAtExitIsReportedBeforeTheExit() {
    Life life = new Life(options().withMemoryLimitMiB(64));
    life.ready();

    life.feed(new Input.Exited(1, 137, "killed by signal 9 (KILL)", true));

    assertThat(life.actions.subList(0, 3))
        .containsExactly(
            new Action.ReadyChanged(),
            new Action.Emit(Kind.MEMORY_LIMIT, "killed: memory limit (64 MiB)"),
            new Action.Emit(Kind.EXITED, "killed: memory limit (64 MiB)"));
  }

  @Test
  void inputsAboutAnOlderAttemptOrAProcessThatIsGoneChangeNothing() {
    Life life = new Life(options());
    life.ready().feed(life.exit(1, "exited with status 1"));
    InstanceLife exited = life.life;

    for (Input stale :
        List.of(
            new Input.TimerFired(Timer.READINESS, 1),
            new Input.TimerFired(Timer.KILL, 1),
            new Input.Probed(ProbeSchedule.Kind.READINESS, 1, false, "x"),
            new Input.OverMemory(1, ""),
            new Input.Exited(1, 1, "again", false),
            new Input.Started(1, 42))) {
      life.feed(stale);
      assertThat(life.actions).as("%s", stale).isEmpty();
      assertThat(life.life).isEqualTo(exited);
    }

    life.running();
    InstanceLife second = life.life;
    life.feed(new Input.Probed(ProbeSchedule.Kind.STARTUP, 1, true, "from the first"));
    assertThat(life.actions).isEmpty();
    assertThat(life.life).isEqualTo(second);
    life.feed(new Input.Launch(9000));
    assertThat(life.actions).as("a process is still there").isEmpty();
  }

  @Test
  void aRetiredInstanceStopsGracefullyAndIsReportedOnceItsProcessIsGone() {
    Life life = new Life(options());
    life.ready();

    life.feed(new Input.Retire());
    assertThat(life.actions)
        .containsExactly(new Action.ReadyChanged(), new Action.StopGracefully());
    assertThat(life.life.state()).isEqualTo(State.STOPPED);
    assertThat(life.life.ready()).isFalse();

    life.feed(life.exit(0, "exited with status 0"));
    assertThat(life.actions).as("its exit is the stop's").isEmpty();
    life.feed(new Input.Stopped("scaled down (exited with status 0)", true));
    assertThat(life.events()).containsExactly("STOPPED: scaled down (exited with status 0)");
    assertThat(life.life.lastExit()).isEqualTo("scaled down (exited with status 0)");

    life.feed(new Input.Launch(PORT)).feed(new Input.Retire());
    assertThat(life.actions).isEmpty();
  }

  @Test
  void anInstanceRetiredWhileStartingIsKilledOnceItRuns() {
    Life life = new Life(options());
    life.feed(new Input.Launch(PORT));

    life.feed(new Input.Retire());
    assertThat(life.actions)
        .containsExactly(new Action.ReadyChanged(), new Action.Emit(Kind.STOPPED, "scaled down"));

    life.feed(new Input.Started(1, 42));
    assertThat(life.actions).containsExactly(new Action.Kill());
  }

  @Test
  void aProcessThatCouldNotBeStartedIsAFailedStartWithoutAPort() {
    Life life = new Life(options());
    life.feed(new Input.Launch(PORT));

    life.feed(new Input.Exited(1, -1, "could not be started: no such file", false));

    assertThat(life.events())
        .startsWith(
            "EXITED: could not be started: no such file",
            "FAILED_TO_START: could not be started: no such file before accepting connections on"
                + " port 8000");
  }

  @Test
  void theProbeScheduleCountsFromTheStartAndFromReady() {
    ProbeSchedule schedule =
        ProbeSchedule.of(
            options()
                .withStartTimeout(Duration.ofSeconds(30))
                .withReadiness(
                    Probe.http("/r")
                        .withInitialDelay(Duration.ofSeconds(5))
                        .withPeriod(Duration.ofSeconds(2))
                        .withThresholds(2, 4))
                .withLiveness(Probe.tcp().withPeriod(Duration.ofSeconds(7)).withThresholds(1, 3)));

    assertThat(schedule.first(ProbeSchedule.Kind.STARTUP)).isEqualTo(INTERVAL);
    assertThat(schedule.next(ProbeSchedule.Kind.STARTUP)).isEqualTo(INTERVAL);
    assertThat(schedule.first(ProbeSchedule.Kind.READINESS)).isEqualTo(Duration.ofSeconds(7));
    assertThat(schedule.next(ProbeSchedule.Kind.READINESS)).isEqualTo(Duration.ofSeconds(2));
    assertThat(schedule.first(ProbeSchedule.Kind.LIVENESS)).isEqualTo(Duration.ofSeconds(7));
    assertThat(schedule.startsOnTcp()).isFalse(); // start-up uses readiness's HTTP check
    Instant t = Instant.EPOCH;
    assertThat(schedule.startTimedOut(t, t.plusSeconds(29))).isFalse();
    assertThat(schedule.startTimedOut(t, t.plusSeconds(30))).isTrue();

    ProbeSchedule.Tally three = ProbeSchedule.Tally.NONE.after(false).after(false).after(false);
    assertThat(schedule.readiness(true, three)).isEqualTo(ProbeSchedule.Verdict.UNCHANGED);
    assertThat(schedule.readiness(true, three.after(false)))
        .isEqualTo(ProbeSchedule.Verdict.UNREADY);
    assertThat(schedule.readiness(false, three.after(true)))
        .isEqualTo(ProbeSchedule.Verdict.UNCHANGED);
    assertThat(schedule.readiness(false, three.after(true).after(true)))
        .isEqualTo(ProbeSchedule.Verdict.READY_AGAIN);
    assertThat(schedule.livenessFails(three)).isTrue();
    assertThat(schedule.livenessFails(three.after(true))).isFalse();
  }
}
