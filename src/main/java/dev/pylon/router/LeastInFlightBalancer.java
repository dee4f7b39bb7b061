package dev.pylon.router;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Picks the upstream with the fewest requests in flight that is below its concurrency cap, and
 * claims a slot on it. Ties go to whichever comes first from a random starting point, so equal
 * instances share the load evenly. Counts are kept per upstream id and survive snapshot swaps.
 *
 * <p>An upstream that stopped answering ({@link UpstreamHealth}) is passed over while any other
 * untried upstream is in the rotation; when none is, it is used all the same (a likely 504 is
 * better than a certain 503).
 */
final class LeastInFlightBalancer {
  private static final int CLAIM_ATTEMPTS = 8;
  private final ConcurrentHashMap<String, Load> loads = new ConcurrentHashMap<>();
  private final Consumer<String> onSlotFreed;
  private final Duration baseEjection;

  /** One upstream's requests in flight and health, shared by every event loop. */
  static final class Load {
    final AtomicInteger inFlight = new AtomicInteger();
    volatile UpstreamHealth health = UpstreamHealth.NEW;
  }

  LeastInFlightBalancer(Consumer<String> onSlotFreed) {
    this(onSlotFreed, Duration.ofSeconds(30));
  }

  /**
   * @param onSlotFreed told the backend name whenever a slot is released, so a queued request can
   *     try to take it
   * @param baseEjection how long an upstream that stopped answering is first left out
   */
  LeastInFlightBalancer(Consumer<String> onSlotFreed, Duration baseEjection) {
    this.onSlotFreed = onSlotFreed;
    this.baseEjection = baseEjection;
  }

  /**
   * Claims a slot on the best upstream of {@code backend} not in {@code excluded}.
   *
   * @return the lease, or null when every eligible upstream is at its cap (or none is eligible)
   */
  Lease acquire(Backend backend, Set<String> excluded) {
    List<Upstream> candidates = backend.upstreams();
    int n = candidates.size();
    if (n == 0) {
      return null;
    }
    long now = 0;
    for (int attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
      int start = n == 1 ? 0 : ThreadLocalRandom.current().nextInt(n);
      Upstream best = null;
      Load bestCounter = null;
      int bestLoad = Integer.MAX_VALUE;
      boolean anyInRotation = false;
      Upstream leftOut = null;
      Load leftOutCounter = null;
      int leftOutLoad = Integer.MAX_VALUE;
      for (int i = 0; i < n; i++) {
        Upstream u = candidates.get((start + i) % n);
        if (excluded.contains(u.id())) {
          continue;
        }
        Load counter = loadOf(u.id());
        int load = counter.inFlight.get();
        boolean capped = !u.unlimited() && load >= u.maxConcurrency();
        UpstreamHealth health = counter.health;
        if (health.ejected()) {
          now = now == 0 ? System.nanoTime() | 1 : now;
          if (!health.admits(now, load)) {
            if (!capped && load < leftOutLoad) {
              leftOut = u;
              leftOutCounter = counter;
              leftOutLoad = load;
            }
            continue;
          }
        }
        anyInRotation = true;
        if (!capped && load < bestLoad) {
          best = u;
          bestCounter = counter;
          bestLoad = load;
        }
      }
      if (best == null && !anyInRotation) {
        best = leftOut;
        bestCounter = leftOutCounter;
        bestLoad = leftOutLoad;
      }
      if (best == null) {
        return null;
      }
      if (claim(best, bestCounter.inFlight, bestLoad)) {
        String backendName = backend.name();
        return new Lease(best, bestCounter, () -> onSlotFreed.accept(backendName));
      }
    }
    return null;
  }

  /** Whether some upstream of the backend is outside {@code excluded} at all (capped or not). */
  static boolean hasEligible(Backend backend, Set<String> excluded) {
    for (Upstream u : backend.upstreams()) {
      if (!excluded.contains(u.id())) {
        return true;
      }
    }
    return false;
  }

  int inFlight(String upstreamId) {
    Load load = loads.get(upstreamId);
    return load == null ? 0 : load.inFlight.get();
  }

  /** The leased upstream sent a response byte. */
  static void answered(Lease lease) {
    Load load = lease.load();
    UpstreamHealth before = load.health;
    UpstreamHealth after = before.answered(System.nanoTime());
    if (after != before) {
      load.health = after;
    }
  }

  /** A request sent on the lease at {@code sentNanos} ran out of time without a response byte. */
  void timedOut(Lease lease, long sentNanos) {
    Load load = lease.load();
    load.health = load.health.timedOut(sentNanos, System.nanoTime(), baseEjection);
  }

  /** Whether the upstream is left out of the rotation now (for tests and metrics). */
  boolean ejected(String upstreamId) {
    Load load = loads.get(upstreamId);
    return load != null && load.health.ejected();
  }

  /** Upstreams not in {@code current} were replaced or removed: a later one starts afresh. */
  void forgetHealthExcept(Set<String> current) {
    loads.forEach(
        (id, load) -> {
          if (load.health != UpstreamHealth.NEW && !current.contains(id)) {
            load.health = UpstreamHealth.NEW;
          }
        });
  }

  private static boolean claim(Upstream u, AtomicInteger counter, int seen) {
    if (u.unlimited()) {
      counter.incrementAndGet();
      return true;
    }
    return seen < u.maxConcurrency() && counter.compareAndSet(seen, seen + 1);
  }

  private Load loadOf(String id) {
    Load load = loads.get(id);
    return load != null ? load : loads.computeIfAbsent(id, k -> new Load());
  }
}
