package dev.pylon.control.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pylon.autoscale.ScalingMetric;
import dev.pylon.control.admin.ScalingBody;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code pylon scale}'s rule: the new scaling from the old one and what the request says. */
class ScalingChangeTest {
  private static final ScalingBody NOTHING = new ScalingBody(null, null, null, null, null, null);

  private static Scaling next(Scaling old, ScalingBody request) throws AdminError {
    return ScalingChange.next(old, request);
  }

  @Test
  void whatTheRequestLeavesOutStaysAsItWas() throws Exception {
    Scaling old = new Scaling(1, 4, 20).onCpu(0.6).withCoolDown(Optional.of(Duration.ofMinutes(2)));

    assertThat(next(old, NOTHING)).isEqualTo(old);
    assertThat(next(old, new ScalingBody(2, null, null, null, null, null)))
        .isEqualTo(new Scaling(2, 4, 20).onCpu(0.6).withCoolDown(old.coolDown()));
  }

  @Test
  void boundsAndConcurrencyAreSet() throws Exception {
    assertThat(next(Scaling.DEFAULT, new ScalingBody(1, 5, 30, null, null, null)))
        .isEqualTo(new Scaling(1, 5, 30));
  }

  @Test
  void aCpuTargetMeansScalingOnCpuAndZeroIsAppEnginesHalfCore() throws Exception {
    Scaling cpu = next(Scaling.DEFAULT, new ScalingBody(null, null, null, null, 0.6, null));
    assertThat(cpu.metric()).isEqualTo(ScalingMetric.CPU);
    assertThat(cpu.cpuTarget()).isEqualTo(0.6);

    Scaling half = next(Scaling.DEFAULT, new ScalingBody(null, null, null, null, 0.0, null));
    assertThat(half.cpuTarget()).isEqualTo(0.5);

    Scaling named = next(Scaling.DEFAULT, new ScalingBody(null, null, null, "CPU", null, null));
    assertThat(named.cpuTarget()).isEqualTo(0.5);
  }

  @Test
  void backOnConcurrencyForgetsTheCpuTarget() throws Exception {
    Scaling back =
        next(
            Scaling.DEFAULT.onCpu(0.6),
            new ScalingBody(null, null, null, "concurrency", null, null));

    assertThat(back.metric()).isEqualTo(ScalingMetric.CONCURRENCY);
    assertThat(back.cpuTarget()).isZero();
  }

  @Test
  void aCoolDownOfZeroIsTheDaemonsWindow() throws Exception {
    Scaling two = next(Scaling.DEFAULT, new ScalingBody(null, null, null, null, null, 120.0));
    assertThat(two.coolDown()).contains(Duration.ofMinutes(2));

    assertThat(next(two, new ScalingBody(null, null, null, null, null, 0.0)).coolDown()).isEmpty();
  }

  @Test
  void whatCannotBeAppliedIsAnInvalidRequestThatSaysWhy() {
    assertThatThrownBy(
            () -> next(Scaling.DEFAULT, new ScalingBody(null, null, null, "memory", null, null)))
        .isInstanceOf(AdminError.class)
        .hasMessage("\"memory\" is not a metric the daemon scales on")
        .satisfies(e -> assertThat(((AdminError) e).kind()).isEqualTo(AdminError.Kind.INVALID))
        .satisfies(e -> assertThat(((AdminError) e).hint()).contains("--min 1 --max 5"));
    assertThatThrownBy(
            () -> next(Scaling.DEFAULT, new ScalingBody(null, null, null, null, null, 2.0)))
        .hasMessageContaining("cool-down must be from 6 s to 1 h");
    assertThatThrownBy(() -> next(Scaling.DEFAULT, new ScalingBody(5, 3, null, null, null, null)))
        .hasMessageContaining("0 <= min <= max");
  }
}
