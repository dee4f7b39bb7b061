package dev.pylon.control.console;

import java.util.OptionalInt;

/**
 * Reads the router's request counters back from the text {@code /metrics} serves, so the console's
 * charts show exactly the series a Prometheus scraping the daemon would see.
 */
final class PrometheusCounts {
  private PrometheusCounts() {}

  /**
   * The requests, 5xx answers and duration histogram in {@code text}; zero where a line is missing.
   */
  static Counts read(String text) {
    long requests = 0;
    long errors = 0;
    long[] cumulative = new long[Counts.BOUNDS.length + 1];
    for (String line : text.split("\n")) {
      if (line.startsWith("#") || line.isBlank()) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      if (space < 0) {
        continue;
      }
      String series = line.substring(0, space);
      long value = parse(line.substring(space + 1));
      if (series.startsWith("pylon_router_requests_total{")) {
        requests += value;
        if (series.contains("code=\"5xx\"")) {
          errors += value;
        }
      } else if (series.startsWith("pylon_router_request_duration_seconds_bucket{le=\"")) {
        String le = series.substring(series.indexOf('"') + 1, series.lastIndexOf('"'));
        OptionalInt index = boundIndex(le);
        if (index.isPresent()) {
          cumulative[index.getAsInt()] = value;
        }
      }
    }
    long[] buckets = new long[cumulative.length];
    long before = 0;
    for (int i = 0; i < cumulative.length; i++) {
      buckets[i] = Math.max(0, cumulative[i] - before);
      before = Math.max(before, cumulative[i]);
    }
    return new Counts(requests, errors, buckets);
  }

  /** {@code pylon_router_in_flight}, or 0. */
  static int inFlight(String text) {
    for (String line : text.split("\n")) {
      if (line.startsWith("pylon_router_in_flight ")) {
        return (int) parse(line.substring(line.indexOf(' ') + 1));
      }
    }
    return 0;
  }

  private static OptionalInt boundIndex(String le) {
    if (le.equals("+Inf")) {
      return OptionalInt.of(Counts.BOUNDS.length);
    }
    try {
      double bound = Double.parseDouble(le);
      for (int i = 0; i < Counts.BOUNDS.length; i++) {
        if (Math.abs(Counts.BOUNDS[i] - bound) < 1e-9) {
          return OptionalInt.of(i);
        }
      }
    } catch (NumberFormatException e) {
      // not one of ours
    }
    return OptionalInt.empty();
  }

  private static long parse(String number) {
    try {
      return (long) Double.parseDouble(number.strip());
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
