package dev.pylon.router;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Where requests for a host and path prefix go.
 *
 * @param host host name to match without port, lower case; {@code "*"} matches any host
 * @param pathPrefix path prefix to match, e.g. {@code "/"} or {@code "/api/"}
 * @param backends weighted revisions that share the traffic
 */
public record Route(String host, String pathPrefix, List<Backend> backends) {
  public static final String ANY_HOST = "*";

  public Route {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(pathPrefix, "pathPrefix");
    host = host.toLowerCase(Locale.ROOT);
    backends = List.copyOf(backends);
  }

  boolean matches(String requestHost, String path) {
    return (ANY_HOST.equals(host) || host.equals(requestHost)) && path.startsWith(pathPrefix);
  }
}
