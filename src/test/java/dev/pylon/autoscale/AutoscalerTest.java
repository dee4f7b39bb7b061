package dev.pylon.autoscale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Single decisions, with the window's averages given directly. */
class AutoscalerTest {
  private static final Instant T0 = LoadReplay.T0;
  private static final ScalingPolicy TEN_AT_70 =
      ScalingPolicy.builder().target(10).targetUtilization(0.7).build();

  private static WindowStats load(double stable, double panic) {
    return new WindowStats(stable, panic, Optional.of(T0), true);
  }

  @Test
  void desiredIsObservedOverTargetTimesUtilizationRoundedUp() {
    Decision d = new Autoscaler(TEN_AT_70).decide(T0, load(50, 50), 8, ScalerState.start(T0));

    assertThat(d.desiredInstances()).isEqualTo(8);
    assertThat(d.mode()).isEqualTo(Decision.Mode.STABLE);
    assertThat(d.reason())
        .isEqualTo("stable: 60 s average 50 in flight / 7 per instance wants 8 -> 8");
  }

  @Test
  void exactMultiplesDoNotRoundUpOnFloatNoise() {
    ScalingPolicy p = ScalingPolicy.builder().target(30).targetUtilization(0.7).build();

    Decision d = new Autoscaler(p).decide(T0, load(21, 21), 1, ScalerState.start(T0));

    assertThat(d.desiredInstances()).isEqualTo(1);
  }

  @Test
  void panicReasonNamesTheDemandAndTheReadyCapacity() {
    Decision d = new Autoscaler(TEN_AT_70).decide(T0, load(20, 99.4), 3, ScalerState.start(T0));

    assertThat(d.panicking()).isTrue();
    assertThat(d.desiredInstances()).isEqualTo(15);
    assertThat(d.reason())
        .isEqualTo("panic: 6 s average 99.4 in flight wants 15 at 7 each, >= 2x the 3 ready -> 15");
    assertThat(d.state().panicStarted()).contains(T0);
  }

  @Test
  void panicEndsOnlyAStableWindowAfterItsLastTrigger() {
    Autoscaler a = new Autoscaler(TEN_AT_70);
    ScalerState s = a.decide(T0, load(20, 99.4), 3, ScalerState.start(T0)).state();
    Instant retrigger = T0.plusSeconds(20);
    s = a.decide(retrigger, load(20, 99.4), 5, s).state();

    Decision holding = a.decide(retrigger.plusSeconds(60), load(7, 7), 15, s);
    assertThat(holding.panicking()).isTrue();
    assertThat(holding.desiredInstances()).isEqualTo(15);
    assertThat(holding.reason()).contains("no scale-down while panicking, holding 15");
    // Between triggers the reason still names the metric, so a reader knows what is averaged.
    assertThat(holding.reason())
        .contains("60 s average 7 in flight wants 1")
        .contains("6 s average 7 in flight wants 1");

    Decision over = a.decide(retrigger.plusSeconds(61), load(7, 7), 15, holding.state());
    assertThat(over.panicking()).isFalse();
    assertThat(over.reason()).startsWith("panic over; stable:");
    // 15 ready, stable wants 1: at most halved, floor(15 / 2) = 7.
    assertThat(over.desiredInstances()).isEqualTo(7);
    assertThat(over.reason()).contains("scale-down limited to 1/2 of the 15 ready");
  }

  @Test
  void scaleUpIsLimitedByTheMaxScaleUpRate() {
    ScalingPolicy p = TEN_AT_70.toBuilder().maxScaleUpRate(2).build();

    Decision d = new Autoscaler(p).decide(T0, load(700, 700), 3, ScalerState.start(T0));

    assertThat(d.desiredInstances()).isEqualTo(6);
    assertThat(d.reason()).contains("scale-up limited to 2x the 3 ready");
  }

  @Test
  void fromZeroReadyTheRatesCountOneInstance() {
    Decision d = new Autoscaler(TEN_AT_70).decide(T0, load(0.1, 0.5), 0, ScalerState.start(T0));

    assertThat(d.desiredInstances()).isEqualTo(1);
  }

  @Test
  void scaleDownDelayKeepsTheHighestCountWantedWithinIt() {
    ScalingPolicy p = TEN_AT_70.toBuilder().scaleDownDelay(Duration.ofSeconds(10)).build();
    Autoscaler a = new Autoscaler(p);
    ScalerState s = a.decide(T0, load(35, 35), 5, ScalerState.start(T0)).state();

    Decision soon = a.decide(T0.plusSeconds(9), load(14, 14), 5, s);
    assertThat(soon.desiredInstances()).isEqualTo(5);
    assertThat(soon.reason()).contains("scale-down delayed 10 s: 5 was wanted within it");

    Decision later = a.decide(T0.plusSeconds(10), load(14, 14), 5, soon.state());
    assertThat(later.desiredInstances()).isEqualTo(2);
  }

  @Test
  void withoutSamplesTheCountStays() {
    Decision d =
        new Autoscaler(TEN_AT_70).decide(T0, WindowStats.EMPTY, 4, ScalerState.afterRestart(T0, 4));

    assertThat(d.desiredInstances()).isEqualTo(4);
    assertThat(d.mode()).isEqualTo(Decision.Mode.NO_DATA);
    assertThat(d.reason()).isEqualTo("no load samples within the 60 s window yet: keeping 4");
  }

  @Test
  void minScaleAboveZeroNeverGoesIdle() {
    ScalingPolicy p = TEN_AT_70.toBuilder().minScale(1).build();

    Decision d =
        new Autoscaler(p).decide(T0.plusSeconds(1000), load(0, 0), 1, ScalerState.start(T0));

    assertThat(d.desiredInstances()).isEqualTo(1);
    assertThat(d.mode()).isEqualTo(Decision.Mode.STABLE);
  }

  @Test
  void aRevisionWithNoInstanceAndNoLoadStaysAtZeroAtOnce() {
    Decision d =
        new Autoscaler(TEN_AT_70)
            .decide(T0.plusSeconds(1), load(0, 0), 0, 0, ScalerState.afterRestart(T0, 1));

    assertThat(d.desiredInstances()).isZero();
    assertThat(d.mode()).isEqualTo(Decision.Mode.ZERO);
  }

  @Test
  void anInstanceThatIsStillStartingIsNotScaledToZeroUnderIt() {
    Autoscaler a = new Autoscaler(TEN_AT_70);

    // Restarting after a crash, or adopted from a previous daemon: none ready, one starting.
    Decision starting =
        a.decide(T0.plusSeconds(1), load(0, 0), 0, 1, ScalerState.afterRestart(T0, 1));
    assertThat(starting.desiredInstances()).isEqualTo(1);
    assertThat(starting.mode()).isEqualTo(Decision.Mode.IDLE);

    // Only the idle window (stable 60 s + grace 30 s) takes it to zero.
    Decision idle = a.decide(T0.plusSeconds(90), load(0, 0), 0, 1, starting.state());
    assertThat(idle.desiredInstances()).isZero();
    assertThat(idle.mode()).isEqualTo(Decision.Mode.ZERO);
  }

  @Test
  void withoutSamplesTheInstancesStillStartingAreKept() {
    Decision d =
        new Autoscaler(TEN_AT_70)
            .decide(T0, WindowStats.EMPTY, 0, 2, ScalerState.afterRestart(T0, 2));

    assertThat(d.desiredInstances()).isEqualTo(2);
    assertThat(d.reason()).isEqualTo("no load samples within the 60 s window yet: keeping 2");
  }

  @Test
  void noRevisionWithAnInstanceGoesToZeroBeforeItsIdleWindowWhateverIsReady() {
    Autoscaler a = new Autoscaler(TEN_AT_70);
    for (int ready = 0; ready <= 3; ready++) {
      for (int running = Math.max(ready, 1); running <= 4; running++) {
        for (int second = 0; second < 90; second += 7) {
          Decision d =
              a.decide(
                  T0.plusSeconds(second),
                  load(0, 0),
                  ready,
                  running,
                  ScalerState.afterRestart(T0, 1));
          assertThat(d.desiredInstances())
              .as("ready %d, running %d, %d s idle", ready, running, second)
              .isGreaterThanOrEqualTo(1);
        }
      }
    }
  }

  @Test
  void refusesFewerInstancesInAllThanReady() {
    assertThatIllegalArgumentException()
        .isThrownBy(
            () -> new Autoscaler(TEN_AT_70).decide(T0, load(0, 0), 2, 1, ScalerState.start(T0)))
        .withMessageContaining("runningInstances 1 < readyInstances 2");
  }
}
