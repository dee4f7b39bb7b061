package dev.pylon.runtime;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * CPU seconds a set's instances used, never going down: an instance that is gone keeps its last
 * reading, and a reading that drops (a worker exited before it was reaped) counts as no change.
 */
final class CpuAccount {
  private final Map<RunningInstance, Double> seen = new HashMap<>();
  private double ofGone;

  /** Adds {@code readings} of the {@code live} instances; returns the total so far. */
  synchronized double update(
      Collection<RunningInstance> live, Map<RunningInstance, Double> readings) {
    readings.forEach((instance, seconds) -> seen.merge(instance, seconds, Math::max));
    Set<RunningInstance> alive = Set.copyOf(live);
    var gone = seen.entrySet().iterator();
    while (gone.hasNext()) {
      var entry = gone.next();
      if (!alive.contains(entry.getKey())) {
        ofGone += entry.getValue();
        gone.remove();
      }
    }
    double total = ofGone;
    for (double seconds : seen.values()) {
      total += seconds;
    }
    return total;
  }
}
