package dev.pylon.autoscale;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pylon.autoscale.LoadReplay.Tick;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Recorded load shapes replayed through the KPA policy, one tick per second, fake clock. */
class LoadReplayTest {
  /** Target 10 in flight per instance at 0.7 utilization: 7 per instance. */
  private static final ScalingPolicy TEN_AT_70 =
      ScalingPolicy.builder().target(10).targetUtilization(0.7).build();

  private static Tick at(List<Tick> ticks, long second) {
    return ticks.get((int) second);
  }

  @Test
  void stepFromZeroToFiftyReachesEightWithinThePanicWindow() {
    List<Tick> ticks = new LoadReplay(TEN_AT_70).run(LoadPattern.step(0, 50, 10), 200);

    assertThat(at(ticks, 9).desired()).isEqualTo(1);
    assertThat(at(ticks, 10).decision().panicking()).isTrue();
    assertThat(at(ticks, 10).decision().reason()).startsWith("panic: 6 s average");
    long reachedEight =
        ticks.stream().filter(t -> t.desired() >= 8).findFirst().orElseThrow().second();
    assertThat(reachedEight - 10).isLessThan(6);
    // ceil(50 / 7) = 8, and it stays there once the surge is in the stable window too.
    assertThat(ticks.subList(16, 200)).allSatisfy(t -> assertThat(t.desired()).isEqualTo(8));
    assertThat(at(ticks, 199).decision().mode()).isEqualTo(Decision.Mode.STABLE);
  }

  @Test
  void stepWithSlowStartingInstancesStillAsksForEightAndDoesNotOvershoot() {
    List<Tick> ticks =
        new LoadReplay(TEN_AT_70)
            .startupDelay(Duration.ofSeconds(3))
            .run(LoadPattern.step(0, 50, 10), 200);

    assertThat(ticks.subList(10, 18).stream().mapToInt(Tick::desired).max().orElseThrow())
        .isGreaterThanOrEqualTo(8);
    assertThat(ticks.subList(100, 200)).allSatisfy(t -> assertThat(t.desired()).isEqualTo(8));
  }

  @Test
  void spikePanicsWithinSecondsAndNeverScalesDownWhilePanicking() {
    LoadPattern spike = LoadPattern.spike(5, 100, 90, 10);
    List<Tick> ticks = new LoadReplay(TEN_AT_70).run(spike, 300);

    assertThat(at(ticks, 89).desired()).isEqualTo(1);
    assertThat(at(ticks, 89).decision().panicking()).isFalse();
    assertThat(at(ticks, 90).decision().panicking()).isTrue();
    // ceil(100 / 7) = 15 within the panic window of the spike starting.
    assertThat(ticks.subList(90, 96).stream().mapToInt(Tick::desired).max().orElseThrow())
        .isEqualTo(15);
    for (int s = 91; s < ticks.size(); s++) {
      Tick t = ticks.get(s);
      if (t.decision().panicking()) {
        assertThat(t.desired()).as("%s", t).isGreaterThanOrEqualTo(ticks.get(s - 1).desired());
      }
    }
    long lastPanic =
        ticks.stream()
            .filter(t -> t.decision().panicking())
            .mapToLong(Tick::second)
            .max()
            .orElse(0);
    // Panic lasts a stable window past its last trigger, well after the spike ended at 100 s.
    assertThat(lastPanic).isGreaterThan(150);
    assertThat(at(ticks, lastPanic + 1).decision().reason()).startsWith("panic over");
    // Back to one instance for the base load once the spike left the stable window.
    assertThat(at(ticks, 299).desired()).isEqualTo(1);
  }

  @Test
  void rampIsTrackedUpAndDown() {
    LoadPattern load = LoadPattern.ramp(0, 70, 0, 120).then(300, LoadPattern.ramp(70, 0, 0, 120));
    List<Tick> ticks = new LoadReplay(TEN_AT_70).run(load, 600);

    // Rising: enough capacity for the 60 s average, never more than the load of the moment
    // needs. (The stable window lags a ramp; once a panic ends the count may fall back to it, as
    // in Knative.)
    for (Tick t : ticks.subList(1, 120)) {
      double stableNeed = Math.ceil(averageOfLast(ticks, t.second(), 60) / 7 - 1e-9);
      assertThat((double) t.desired()).as("%s", t).isGreaterThanOrEqualTo(stableNeed);
      assertThat((double) t.desired()).as("%s", t).isLessThanOrEqualTo(Math.ceil(t.load() / 7));
    }
    assertThat(ticks.subList(180, 300)).allSatisfy(t -> assertThat(t.desired()).isEqualTo(10));
    assertThat(at(ticks, 299).desired()).isEqualTo(10);
    assertThat(at(ticks, 299).decision().mode()).isEqualTo(Decision.Mode.STABLE);
    // Down the ramp it follows, one step at a time, and ends at the last instance kept idle.
    for (int s = 301; s < 600; s++) {
      assertThat(ticks.get(s).desired()).isLessThanOrEqualTo(ticks.get(s - 1).desired());
    }
    assertThat(at(ticks, 480).desired()).isBetween(1, 3);
  }

  private static double averageOfLast(List<Tick> ticks, long second, int window) {
    long from = Math.max(0, second - window + 1);
    return ticks.subList((int) from, (int) second + 1).stream()
        .mapToDouble(Tick::load)
        .average()
        .orElse(0);
  }

  @Test
  void idleScalesToZeroExactlyAfterStableWindowPlusGraceAndNotBefore() {
    // Traffic until second 99 inclusive; the last traffic is seen at 99.
    List<Tick> ticks = new LoadReplay(TEN_AT_70).run(LoadPattern.step(5, 0, 100), 300);

    assertThat(ticks.subList(0, 189)).allSatisfy(t -> assertThat(t.desired()).isEqualTo(1));
    assertThat(at(ticks, 158).decision().mode()).isEqualTo(Decision.Mode.STABLE);
    assertThat(at(ticks, 159).decision().mode()).isEqualTo(Decision.Mode.IDLE);
    assertThat(at(ticks, 188).decision().reason())
        .contains("keeping the last instance until 90 s (stable window 60 s + grace 30 s)");
    assertThat(at(ticks, 189).desired()).isZero();
    assertThat(at(ticks, 189).decision().mode()).isEqualTo(Decision.Mode.ZERO);
    assertThat(at(ticks, 189).decision().reason())
        .isEqualTo("scale to zero: no traffic for 90 s (stable window 60 s + grace 30 s) -> 0");
    assertThat(ticks.subList(189, 300)).allSatisfy(t -> assertThat(t.desired()).isZero());
  }

  @Test
  void aNewRevisionWithNoTrafficScalesToZeroAfterStableWindowPlusGrace() {
    List<Tick> ticks = new LoadReplay(TEN_AT_70).run(LoadPattern.idle(), 120);

    assertThat(at(ticks, 89).desired()).isEqualTo(1);
    assertThat(at(ticks, 90).desired()).isZero();
  }

  @Test
  void podRetentionLongerThanGraceKeepsTheLastInstanceLonger() {
    ScalingPolicy p = TEN_AT_70.toBuilder().scaleToZeroPodRetention(Duration.ofSeconds(45)).build();
    List<Tick> ticks = new LoadReplay(p).run(LoadPattern.step(5, 0, 100), 300);

    assertThat(at(ticks, 203).desired()).isEqualTo(1);
    assertThat(at(ticks, 204).desired()).isZero();
    assertThat(at(ticks, 204).decision().reason()).contains("pod retention 45 s");
  }

  @Test
  void fromZeroARequestArrivingGivesAnInstanceAtOnce() {
    LoadPattern load = LoadPattern.idle().then(200, LoadPattern.spike(0, 1, 0, 1));
    List<Tick> ticks = new LoadReplay(TEN_AT_70).run(load, 400);

    assertThat(at(ticks, 199).desired()).isZero();
    assertThat(at(ticks, 199).ready()).isZero();
    assertThat(at(ticks, 200).desired()).isEqualTo(1);
    // One request, then quiet: back to zero a stable window plus grace after it.
    assertThat(at(ticks, 289).desired()).isEqualTo(1);
    assertThat(at(ticks, 290).desired()).isZero();
  }

  @Test
  void activationScaleStartsSeveralFromZero() {
    ScalingPolicy p = TEN_AT_70.toBuilder().activationScale(3).build();
    LoadPattern load = LoadPattern.idle().then(200, LoadPattern.constant(2));
    List<Tick> ticks = new LoadReplay(p).run(load, 260);

    assertThat(at(ticks, 199).desired()).isZero();
    assertThat(at(ticks, 200).desired()).isEqualTo(3);
    assertThat(at(ticks, 259).desired()).isEqualTo(3);
  }

  @Test
  void minScaleIsRespectedWhenIdle() {
    ScalingPolicy p = TEN_AT_70.toBuilder().minScale(2).build();
    List<Tick> ticks = new LoadReplay(p).run(LoadPattern.spike(0, 40, 30, 30), 400);

    assertThat(ticks).allSatisfy(t -> assertThat(t.desired()).isGreaterThanOrEqualTo(2));
    assertThat(ticks.stream().mapToInt(Tick::desired).max().orElseThrow()).isEqualTo(6);
    assertThat(at(ticks, 399).desired()).isEqualTo(2);
    assertThat(at(ticks, 399).decision().reason()).contains("raised to min-scale 2");
  }

  @Test
  void scaleDownNeverDropsByMoreThanHalfPerDecision() {
    // A short burst to 700 in flight (100 instances) over a base of 7: when the panic ends the
    // stable window wants 1, but each decision keeps at least half of what is ready.
    List<Tick> ticks = new LoadReplay(TEN_AT_70).run(LoadPattern.spike(7, 700, 30, 10), 400);

    assertThat(ticks.stream().mapToInt(Tick::desired).max().orElseThrow()).isEqualTo(100);
    boolean sawLimit = false;
    for (int s = 1; s < ticks.size(); s++) {
      Tick t = ticks.get(s);
      assertThat(t.desired()).as("%s", t).isGreaterThanOrEqualTo(t.ready() / 2);
      sawLimit |= t.decision().reason().contains("scale-down limited to 1/2 of the");
    }
    assertThat(sawLimit).isTrue();
    assertThat(at(ticks, 399).desired()).isEqualTo(1);
  }

  @Test
  void maxScaleCaps() {
    ScalingPolicy p = TEN_AT_70.toBuilder().maxScale(5).build();
    List<Tick> ticks = new LoadReplay(p).run(LoadPattern.step(0, 100, 10), 120);

    assertThat(ticks).allSatisfy(t -> assertThat(t.desired()).isLessThanOrEqualTo(5));
    assertThat(at(ticks, 119).desired()).isEqualTo(5);
    assertThat(at(ticks, 119).decision().reason()).contains("capped at max-scale 5");
  }

  @Test
  void sawtoothSettlesWithoutFlapping() {
    List<Tick> ticks = new LoadReplay(TEN_AT_70).run(LoadPattern.sawtooth(0, 60, 20), 600);

    List<Integer> late = ticks.subList(200, 600).stream().map(Tick::desired).distinct().toList();
    assertThat(late).containsExactly(5);
    assertThat(ticks).noneSatisfy(t -> assertThat(t.desired()).isZero());
  }

  @Test
  void afterARestartTheEmptyWindowDoesNotScaleDownForAStableWindow() {
    List<Tick> ticks =
        new LoadReplay(TEN_AT_70)
            .initiallyReady(6)
            .initialState(ScalerState.afterRestart(LoadReplay.T0, 6))
            .run(LoadPattern.constant(7), 200);

    assertThat(ticks.subList(0, 60)).allSatisfy(t -> assertThat(t.desired()).isEqualTo(6));
    assertThat(at(ticks, 199).desired()).isEqualTo(1);
  }

  @Test
  void initialScaleHoldsUntilFirstReachedThenFollowsLoad() {
    ScalingPolicy p = TEN_AT_70.toBuilder().initialScale(3).build();
    List<Tick> ticks =
        new LoadReplay(p)
            .initiallyReady(0)
            .startupDelay(Duration.ofSeconds(5))
            .run(LoadPattern.constant(3), 120);

    // Starting instances take 5 s; until the 3 are once ready, 3 is the floor.
    assertThat(ticks.subList(0, 5)).allSatisfy(t -> assertThat(t.desired()).isEqualTo(3));
    assertThat(at(ticks, 0).decision().reason()).contains("kept at initial scale 3");
    assertThat(at(ticks, 5).ready()).isEqualTo(3);
    assertThat(at(ticks, 5).desired()).isEqualTo(1);
  }

  @Test
  void pinnedCountNeverMoves() {
    ScalingPolicy p = TEN_AT_70.toBuilder().minScale(3).maxScale(3).build();
    List<Tick> ticks = new LoadReplay(p).run(LoadPattern.spike(0, 500, 10, 20), 200);

    assertThat(ticks).allSatisfy(t -> assertThat(t.desired()).isEqualTo(3));
    assertThat(at(ticks, 20).decision().mode()).isEqualTo(Decision.Mode.PINNED);
  }
}
