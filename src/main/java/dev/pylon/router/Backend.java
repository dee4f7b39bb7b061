package dev.pylon.router;

import java.util.List;
import java.util.Objects;

/**
 * One revision behind a route: its ready instances and its share of the route's traffic.
 *
 * @param name revision name; requests waiting for capacity queue per backend name
 * @param weight relative share of the route's traffic (percent or any positive scale)
 * @param upstreams the revision's ready instances
 */
public record Backend(String name, int weight, List<Upstream> upstreams) {
  public Backend {
    Objects.requireNonNull(name, "name");
    if (weight < 0) {
      throw new IllegalArgumentException("weight must be >= 0: " + weight);
    }
    upstreams = List.copyOf(upstreams);
  }
}
