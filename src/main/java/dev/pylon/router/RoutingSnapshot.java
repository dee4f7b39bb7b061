package dev.pylon.router;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Immutable set of what to route to. The router swaps whole snapshots atomically; a request reads
 * the one current when it arrives.
 *
 * <p>Routes are matched most specific first: an exact host before {@code "*"}, then the longest
 * path prefix. Within a route a backend (revision) is picked by weight.
 */
public record RoutingSnapshot(List<Route> routes) {
  /** The backend name {@link #single} uses. */
  public static final String DEFAULT_BACKEND = "default";

  public RoutingSnapshot {
    routes =
        routes.stream()
            .sorted(
                Comparator.comparing((Route r) -> Route.ANY_HOST.equals(r.host()))
                    .thenComparing(r -> -r.pathPrefix().length()))
            .toList();
  }

  /** Every request goes to these ready instances. */
  public static RoutingSnapshot single(List<Upstream> ready) {
    return new RoutingSnapshot(
        List.of(new Route(Route.ANY_HOST, "/", List.of(new Backend(DEFAULT_BACKEND, 100, ready)))));
  }

  /** Nothing is ready: every request gets 503. */
  public static RoutingSnapshot empty() {
    return new RoutingSnapshot(List.of());
  }

  /**
   * The backend that serves a request, or null when no route matches.
   *
   * @param hostHeader the request's Host header, possibly with a port, may be null
   * @param path the request path
   */
  Backend select(String hostHeader, String path) {
    String host = hostWithoutPort(hostHeader);
    for (Route route : routes) {
      if (route.matches(host, path)) {
        return pickByWeight(route.backends());
      }
    }
    return null;
  }

  private static Backend pickByWeight(List<Backend> backends) {
    if (backends.isEmpty()) {
      return null;
    }
    if (backends.size() == 1) {
      return backends.get(0);
    }
    int total = 0;
    for (Backend b : backends) {
      total += b.weight();
    }
    if (total <= 0) {
      return backends.get(0);
    }
    int ticket = ThreadLocalRandom.current().nextInt(total);
    for (Backend b : backends) {
      ticket -= b.weight();
      if (ticket < 0) {
        return b;
      }
    }
    return backends.get(backends.size() - 1);
  }

  static String hostWithoutPort(String hostHeader) {
    if (hostHeader == null) {
      return "";
    }
    String h = hostHeader.trim();
    if (h.startsWith("[")) {
      int end = h.indexOf(']');
      return end > 0 ? h.substring(0, end + 1).toLowerCase(Locale.ROOT) : h;
    }
    int colon = h.indexOf(':');
    return (colon >= 0 ? h.substring(0, colon) : h).toLowerCase(Locale.ROOT);
  }
}
