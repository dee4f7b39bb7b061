package dev.pylon.control.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SeriesTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static Counts fast(long requests, long errors) {
    long[] buckets = new long[Counts.BOUNDS.length + 1];
    buckets[0] = requests;
    return new Counts(requests, errors, buckets);
  }

  private static Sample at(int seconds, long all, long hello, int ready) {
    return new Sample(
        T0.plusSeconds(seconds),
        fast(all, 0),
        0,
        Map.of("hello", fast(hello, hello / 10)),
        Map.of("hello", ready),
        Map.of("hello", ready + 1));
  }

  @Test
  void pointsAreRatesBetweenSamples() {
    List<Sample> samples = List.of(at(0, 0, 0, 1), at(2, 20, 10, 1), at(4, 20, 10, 2));
    List<Series.Point> all = Series.points(samples, null);
    assertThat(all).hasSize(2);
    assertThat(all.get(0).requestsPerSecond()).isEqualTo(10);
    assertThat(all.get(1).requestsPerSecond()).isZero();
    assertThat(all.get(1).p99Millis()).isNaN();
    List<Series.Point> hello = Series.points(samples, "hello");
    assertThat(hello.get(0).requestsPerSecond()).isEqualTo(5);
    assertThat(hello.get(0).errorsPerSecond()).isEqualTo(0.5);
    assertThat(hello.get(0).p99Millis()).isCloseTo(4.95, within(1e-6));
    assertThat(hello.get(1).ready()).isEqualTo(2);
    assertThat(hello.get(1).desired()).isEqualTo(3);
    assertThat(Series.points(samples, "other").get(0).requestsPerSecond()).isZero();
  }

  @Test
  void theSummaryCoversTheWindowOnly() {
    List<Sample> samples = List.of(at(0, 0, 0, 1), at(100, 1000, 1000, 1), at(400, 1300, 1300, 1));
    Series.Summary summary = Series.summary(samples, "hello", Duration.ofMinutes(5));
    assertThat(summary.requestsPerSecond()).isEqualTo(1);
    assertThat(Series.summary(List.of(), "hello", Duration.ofMinutes(5)).p99Millis()).isNaN();
  }

  @Test
  void theRingKeepsTheNewest() {
    SampleRing ring = new SampleRing(2);
    ring.add(at(0, 0, 0, 1));
    ring.add(at(2, 0, 0, 1));
    ring.add(at(4, 0, 0, 1));
    assertThat(ring.samples())
        .extracting(Sample::at)
        .containsExactly(T0.plusSeconds(2), T0.plusSeconds(4));
  }
}
