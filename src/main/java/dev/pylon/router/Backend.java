package dev.pylon.router;

import java.util.List;
import java.util.Objects;

/**
 * One revision behind a route: its ready instances and its share of the route's traffic.
 *
 * @param name revision name; requests waiting for capacity queue per backend name
 * @param weight relative share of the route's traffic (percent or any positive scale)
 * @param upstreams the revision's ready instances
 * @param activating the revision is scaled to zero and an instance may be started: with no
 *     upstream, requests wait in its queue (up to the queue timeout) instead of getting 503, and
 *     the router's activation listener is told
 */
public record Backend(String name, int weight, List<Upstream> upstreams, boolean activating) {
  /** A backend that is not scaled to zero. */
  public Backend(String name, int weight, List<Upstream> upstreams) {
    this(name, weight, upstreams, false);
  }

  public Backend {
    Objects.requireNonNull(name, "name");
    if (weight < 0) {
      throw new IllegalArgumentException("weight must be >= 0: " + weight);
    }
    upstreams = List.copyOf(upstreams);
  }
}
