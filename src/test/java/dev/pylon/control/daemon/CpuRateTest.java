package dev.pylon.control.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class CpuRateTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void coresAreCpuSecondsPerSecondOverAtLeastASecond() {
    CpuRate rate = new CpuRate();
    assertThat(rate.cores(() -> 10.0, 0)).isZero(); // one reading is no rate yet
    // Within the interval the last rate stands, and /proc is not read.
    assertThat(rate.cores(() -> Double.NaN, SECOND / 4)).isZero();
    assertThat(rate.cores(() -> 11.5, SECOND)).isCloseTo(1.5, within(1e-9));
    assertThat(rate.cores(() -> Double.NaN, SECOND + SECOND / 2)).isCloseTo(1.5, within(1e-9));
    assertThat(rate.cores(() -> 12.0, 3 * SECOND)).isCloseTo(0.25, within(1e-9));
  }

  @Test
  void timerNoiseIsIdleAndAFallingTotalIsNoUse() {
    CpuRate rate = new CpuRate();
    rate.cores(() -> 5.0, 0);
    assertThat(rate.cores(() -> 5.02, SECOND)).isZero(); // two 10 ms ticks: an idle server
    assertThat(rate.cores(() -> 4.0, 2 * SECOND)).isZero();
    assertThat(rate.cores(() -> 4.5, 3 * SECOND)).isCloseTo(0.5, within(1e-9));
  }
}
