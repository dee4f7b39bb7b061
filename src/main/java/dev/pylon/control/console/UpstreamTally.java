package dev.pylon.control.console;

import dev.pylon.router.AccessLog;
import dev.pylon.router.AccessLogEntry;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Per-instance request counts, taken from the router's access log (each entry names the instance's
 * {@code host:port} that answered): the router itself counts only the whole, and the console shows
 * each service's rate and latency. Runs on the router's event loops: adds to counters, never
 * blocks. The sampler maps addresses to revisions and services with the instances it knows.
 */
final class UpstreamTally implements AccessLog {
  private final AccessLog next;
  private final Map<String, Tally> byUpstream = new ConcurrentHashMap<>();

  /** Counts every entry, then hands it on to {@code next} (the daemon's access log). */
  UpstreamTally(AccessLog next) {
    this.next = next;
  }

  @Override
  public void log(AccessLogEntry entry) {
    byUpstream.computeIfAbsent(entry.upstream(), u -> new Tally()).add(entry);
    if (next.enabled()) {
      next.log(entry);
    }
  }

  /** What each upstream address answered so far ({@code -} for requests no instance answered). */
  Map<String, Counts> counts() {
    Map<String, Counts> all = new HashMap<>();
    byUpstream.forEach((upstream, tally) -> all.put(upstream, tally.counts()));
    return all;
  }

  private static final class Tally {
    private final LongAdder requests = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder[] buckets = new LongAdder[Counts.BOUNDS.length + 1];

    Tally() {
      for (int i = 0; i < buckets.length; i++) {
        buckets[i] = new LongAdder();
      }
    }

    void add(AccessLogEntry entry) {
      requests.increment();
      if (entry.status() >= 500 && entry.status() < 600) {
        errors.increment();
      }
      buckets[Counts.bucketOf(entry.durationMicros() / 1e6)].increment();
    }

    Counts counts() {
      long[] b = new long[buckets.length];
      for (int i = 0; i < b.length; i++) {
        b[i] = buckets[i].sum();
      }
      return new Counts(requests.sum(), errors.sum(), b);
    }
  }
}
