package dev.pylon.control.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.pylon.router.RouterMetrics;
import org.junit.jupiter.api.Test;

class CountsTest {
  private static Counts of(long errors, long... buckets) {
    long[] all = new long[Counts.BOUNDS.length + 1];
    System.arraycopy(buckets, 0, all, 0, buckets.length);
    long total = 0;
    for (long b : all) {
      total += b;
    }
    return new Counts(total, errors, all);
  }

  @Test
  void nothingCountedHasNoQuantile() {
    assertThat(Counts.NONE.quantile(0.99)).isNaN();
  }

  @Test
  void aQuantileIsInterpolatedInsideItsBucketAsHistogramQuantileDoes() {
    // 100 requests, all in the first bucket (0..5 ms): the median is at 2.5 ms.
    assertThat(of(0, 100).quantile(0.5)).isCloseTo(0.0025, within(1e-9));
    // 50 in 0..5 ms, 50 in 5..10 ms: p99 is 98 % into the second bucket's range.
    assertThat(of(0, 50, 50).quantile(0.99)).isCloseTo(0.005 + 0.005 * 0.98, within(1e-9));
    assertThat(of(0, 50, 50).quantile(0.5)).isCloseTo(0.005, within(1e-9));
  }

  @Test
  void aQuantileBeyondTheLastBoundIsTheLastBound() {
    long[] buckets = new long[Counts.BOUNDS.length + 1];
    buckets[Counts.BOUNDS.length] = 10;
    assertThat(new Counts(10, 0, buckets).quantile(0.99)).isEqualTo(300);
  }

  @Test
  void differencesNeverGoNegative() {
    Counts later = of(1, 5, 5);
    Counts earlier = of(0, 2, 1);
    assertThat(later.since(earlier)).isEqualTo(of(1, 3, 4));
    assertThat(earlier.since(later)).isEqualTo(Counts.NONE);
    assertThat(earlier.plus(later.since(earlier))).isEqualTo(later);
  }

  @Test
  void bucketsFollowTheRoutersBounds() {
    assertThat(Counts.bucketOf(0)).isZero();
    assertThat(Counts.bucketOf(0.005)).isZero();
    assertThat(Counts.bucketOf(0.0051)).isEqualTo(1);
    assertThat(Counts.bucketOf(1000)).isEqualTo(Counts.BOUNDS.length);
    assertThatThrownBy(() -> new Counts(0, 0, new long[3]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theRoutersOwnMetricsTextReadsBackAsCounts() {
    String text = new RouterMetrics().prometheusText(3);
    Counts counts = PrometheusCounts.read(text);
    assertThat(counts).isEqualTo(Counts.NONE);
    assertThat(PrometheusCounts.inFlight(text)).isEqualTo(3);
    // Every bound the router writes is one the console knows: none is dropped.
    long lines = text.lines().filter(l -> l.contains("_bucket{le=")).count();
    assertThat(lines).isEqualTo(Counts.BOUNDS.length + 1);
    for (double bound : Counts.BOUNDS) {
      assertThat(text).contains("le=\"" + bound + "\"");
    }
  }

  @Test
  void cumulativeBucketsAreReadAsPerBucketCounts() {
    String text =
        """
        pylon_router_requests_total{code="2xx"} 7
        pylon_router_requests_total{code="5xx"} 3
        pylon_router_request_duration_seconds_bucket{le="0.005"} 4
        pylon_router_request_duration_seconds_bucket{le="0.01"} 9
        pylon_router_request_duration_seconds_bucket{le="+Inf"} 10
        pylon_router_in_flight 2
        """;
    Counts counts = PrometheusCounts.read(text);
    assertThat(counts.requests()).isEqualTo(10);
    assertThat(counts.errors()).isEqualTo(3);
    long[] buckets = counts.buckets();
    assertThat(buckets[0]).isEqualTo(4);
    assertThat(buckets[1]).isEqualTo(5);
    assertThat(buckets[Counts.BOUNDS.length]).isEqualTo(1);
  }
}
