package dev.pylon.control.daemon;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** A service as the store keeps it: desired state only. */
public record ServiceRecord(
    String name,
    Instant created,
    Map<String, String> env,
    Scaling scaling,
    List<TrafficTarget> traffic) {
  public ServiceRecord {
    env = Map.copyOf(env);
    traffic = List.copyOf(traffic);
  }
}
