package dev.pylon.router;

import java.util.List;
import java.util.Objects;

/**
 * One revision behind a route: its ready instances and its share of the route's traffic.
 *
 * @param name revision name; requests waiting for capacity queue per backend name
 * @param weight relative share of the route's traffic (percent or any positive scale)
 * @param upstreams the revision's ready instances
 * @param activating an instance is starting, will start after its restart delay, or may be started
 *     (scaled to zero): with no upstream, requests wait in its queue (up to the queue timeout)
 *     instead of getting 503, and the router's activation listener is told
 * @param unavailable why no instance will be ready soon (a crash loop), said in a 503 at once to
 *     every request while there is no upstream; "" when requests may wait
 */
public record Backend(
    String name, int weight, List<Upstream> upstreams, boolean activating, String unavailable) {
  /** A backend that is not scaled to zero. */
  public Backend(String name, int weight, List<Upstream> upstreams) {
    this(name, weight, upstreams, false);
  }

  /** A backend whose requests may wait (activating) or get 503 "no instance is ready". */
  public Backend(String name, int weight, List<Upstream> upstreams, boolean activating) {
    this(name, weight, upstreams, activating, "");
  }

  public Backend {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(unavailable, "unavailable");
    if (weight < 0) {
      throw new IllegalArgumentException("weight must be >= 0: " + weight);
    }
    upstreams = List.copyOf(upstreams);
  }
}
