package dev.pylon.autoscale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class MetricWindowTest {
  private static final Instant T0 = LoadReplay.T0;
  private final MetricWindow window =
      new MetricWindow(Duration.ofSeconds(60), Duration.ofSeconds(6));

  private static Instant at(double seconds) {
    return T0.plusMillis(Math.round(seconds * 1000));
  }

  @Test
  void emptyWindowHasNoData() {
    WindowStats s = window.stats(T0);

    assertThat(s.hasData()).isFalse();
    assertThat(s.stableAverage()).isZero();
    assertThat(s.lastActivity()).isEmpty();
  }

  @Test
  void aYoungWindowAveragesOnlyOverTheSecondsSinceTheFirstSample() {
    for (int s = 0; s < 10; s++) {
      window.record(at(s), 10);
    }

    WindowStats stats = window.stats(at(9));
    assertThat(stats.stableAverage()).isEqualTo(10);
    assertThat(stats.panicAverage()).isEqualTo(10);
  }

  @Test
  void stableAndPanicWindowsAreSimpleAveragesOfTheirBuckets() {
    for (int s = 0; s < 60; s++) {
      window.record(at(s), s < 54 ? 0 : 60);
    }

    WindowStats stats = window.stats(at(59));
    assertThat(stats.panicAverage()).isEqualTo(60);
    assertThat(stats.stableAverage()).isEqualTo(6);
  }

  @Test
  void samplesWithinOneSecondAreAveragedFirst() {
    window.record(at(0.0), 4);
    window.record(at(0.25), 8);
    window.record(at(0.5), 0);
    window.record(at(0.75), 0);

    assertThat(window.stats(at(0.9)).stableAverage()).isEqualTo(3);
  }

  @Test
  void gapsCountAsZeroAndOldBucketsLeaveTheWindow() {
    window.record(at(0), 30);
    window.record(at(2), 0);

    assertThat(window.stats(at(2)).stableAverage()).isEqualTo(10);
    window.record(at(60), 0);
    assertThat(window.stats(at(60)).stableAverage()).isZero();
    assertThat(window.stats(at(60)).hasData()).isTrue();
  }

  @Test
  void secondsAfterTheLastSampleAreUnknownNotZero() {
    for (int s = 0; s < 10; s++) {
      window.record(at(s), 12);
    }

    assertThat(window.stats(at(15)).stableAverage()).isEqualTo(12);
    assertThat(window.stats(at(14)).panicAverage()).isEqualTo(12);
    assertThat(window.stats(at(15)).panicAverage()).isZero();
    assertThat(window.stats(at(68)).hasData()).isTrue();
    assertThat(window.stats(at(69)).hasData()).isFalse();
  }

  @Test
  void lastActivityIsTheLastSampleAboveZero() {
    window.record(at(1), 3);
    window.record(at(2), 0);
    window.record(at(3), 0);

    assertThat(window.stats(at(3)).lastActivity()).contains(at(1));
  }

  @Test
  void samplesOlderThanTheWindowAreIgnored() {
    window.record(at(100), 5);
    window.record(at(10), 1000);

    assertThat(window.stats(at(100)).stableAverage()).isEqualTo(5);
  }

  @Test
  void aLongSilenceStartsAFreshWindow() {
    window.record(at(0), 100);
    window.record(at(500), 2);

    assertThat(window.stats(at(500)).stableAverage()).isEqualTo(2);
  }

  @Test
  void negativeSamplesAreRefused() {
    assertThatThrownBy(() -> window.record(T0, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(">= 0");
  }
}
