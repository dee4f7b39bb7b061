package dev.pylon.router;

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
 */
final class LeastInFlightBalancer {
  private static final int CLAIM_ATTEMPTS = 8;
  private final ConcurrentHashMap<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
  private final Consumer<String> onSlotFreed;

  /**
   * @param onSlotFreed told the backend name whenever a slot is released, so a queued request can
   *     try to take it
   */
  LeastInFlightBalancer(Consumer<String> onSlotFreed) {
    this.onSlotFreed = onSlotFreed;
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
    for (int attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
      int start = n == 1 ? 0 : ThreadLocalRandom.current().nextInt(n);
      Upstream best = null;
      AtomicInteger bestCounter = null;
      int bestLoad = Integer.MAX_VALUE;
      for (int i = 0; i < n; i++) {
        Upstream u = candidates.get((start + i) % n);
        if (excluded.contains(u.id())) {
          continue;
        }
        AtomicInteger counter = counterFor(u);
        int load = counter.get();
        if (!u.unlimited() && load >= u.maxConcurrency()) {
          continue;
        }
        if (load < bestLoad) {
          best = u;
          bestCounter = counter;
          bestLoad = load;
        }
      }
      if (best == null) {
        return null;
      }
      if (claim(best, bestCounter, bestLoad)) {
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
    AtomicInteger counter = inFlight.get(upstreamId);
    return counter == null ? 0 : counter.get();
  }

  private static boolean claim(Upstream u, AtomicInteger counter, int seen) {
    if (u.unlimited()) {
      counter.incrementAndGet();
      return true;
    }
    return seen < u.maxConcurrency() && counter.compareAndSet(seen, seen + 1);
  }

  private AtomicInteger counterFor(Upstream u) {
    AtomicInteger counter = inFlight.get(u.id());
    return counter != null ? counter : inFlight.computeIfAbsent(u.id(), id -> new AtomicInteger());
  }
}
