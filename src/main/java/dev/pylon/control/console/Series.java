package dev.pylon.control.console;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What the charts draw: per interval between two samples, the request rate, the 5xx rate, latency
 * percentiles and the instance count, for one service or (service null) the whole router.
 */
final class Series {
  /** One interval. Latencies in milliseconds, NaN when no request finished in it. */
  record Point(
      Instant at,
      double requestsPerSecond,
      double errorsPerSecond,
      double p50Millis,
      double p90Millis,
      double p99Millis,
      int ready,
      int desired) {}

  /** Totals over a window: the services page's "rate and p99 over the last minutes". */
  record Summary(double requestsPerSecond, double errorsPerSecond, double p99Millis) {}

  private Series() {}

  static List<Point> points(List<Sample> samples, String service) {
    List<Point> points = new ArrayList<>();
    for (int i = 1; i < samples.size(); i++) {
      Sample before = samples.get(i - 1);
      Sample after = samples.get(i);
      double seconds = Duration.between(before.at(), after.at()).toMillis() / 1000.0;
      if (seconds <= 0) {
        continue;
      }
      Counts delta = after.counts(service).since(before.counts(service));
      points.add(
          new Point(
              after.at(),
              delta.requests() / seconds,
              delta.errors() / seconds,
              delta.quantile(0.50) * 1000,
              delta.quantile(0.90) * 1000,
              delta.quantile(0.99) * 1000,
              service == null
                  ? after.ready().values().stream().mapToInt(Integer::intValue).sum()
                  : after.ready().getOrDefault(service, 0),
              service == null
                  ? after.desired().values().stream().mapToInt(Integer::intValue).sum()
                  : after.desired().getOrDefault(service, 0)));
    }
    return points;
  }

  /** Rate and p99 between the oldest sample within {@code window} of the newest and the newest. */
  static Summary summary(List<Sample> samples, String service, Duration window) {
    if (samples.size() < 2) {
      return new Summary(0, 0, Double.NaN);
    }
    Sample last = samples.get(samples.size() - 1);
    Sample first = samples.get(0);
    for (Sample s : samples) {
      if (!s.at().isBefore(last.at().minus(window))) {
        first = s;
        break;
      }
    }
    if (first == last) {
      first = samples.get(samples.size() - 2);
    }
    double seconds = Duration.between(first.at(), last.at()).toMillis() / 1000.0;
    Counts delta = last.counts(service).since(first.counts(service));
    return new Summary(
        seconds > 0 ? delta.requests() / seconds : 0,
        seconds > 0 ? delta.errors() / seconds : 0,
        delta.quantile(0.99) * 1000);
  }
}
