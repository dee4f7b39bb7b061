package dev.pylon.control.console;

import java.time.Instant;
import java.util.Map;

/**
 * The counters at one moment, as the console's charts read them.
 *
 * @param at when they were read
 * @param all every request the router finished (from {@code /metrics})
 * @param inFlight requests in flight in the router then
 * @param services each service's requests so far (those its instances answered)
 * @param ready each service's ready instances then
 * @param desired each service's instances its autoscalers wanted then
 */
record Sample(
    Instant at,
    Counts all,
    int inFlight,
    Map<String, Counts> services,
    Map<String, Integer> ready,
    Map<String, Integer> desired) {
  Sample {
    services = Map.copyOf(services);
    ready = Map.copyOf(ready);
    desired = Map.copyOf(desired);
  }

  /** The service's counts, or the whole router's when {@code service} is null. */
  Counts counts(String service) {
    return service == null ? all : services.getOrDefault(service, Counts.NONE);
  }
}
