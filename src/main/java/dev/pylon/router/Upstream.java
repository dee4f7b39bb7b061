package dev.pylon.router;

import java.util.Objects;

/**
 * An instance that can take traffic.
 *
 * @param id stable name of the instance, used to keep its in-flight count across snapshots
 * @param host address the instance listens on
 * @param port port the instance listens on
 * @param maxConcurrency requests it may hold at once; {@code <= 0} means unlimited
 */
public record Upstream(String id, String host, int port, int maxConcurrency) {
  public Upstream {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(host, "host");
    if (port <= 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
  }

  boolean unlimited() {
    return maxConcurrency <= 0;
  }

  String address() {
    return host + ":" + port;
  }
}
