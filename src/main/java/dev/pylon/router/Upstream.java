package dev.pylon.router;

import java.util.Objects;

/**
 * An instance that can take traffic.
 *
 * @param id stable name of the instance, used to keep its in-flight count across snapshots
 * @param host address the instance listens on
 * @param port port the instance listens on
 * @param maxConcurrency requests it may hold at once; {@code <= 0} means unlimited
 * @param protocol how requests reach it: HTTP/1.1, or HTTP/2 streams over h2c
 */
public record Upstream(
    String id, String host, int port, int maxConcurrency, UpstreamProtocol protocol) {
  public Upstream {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(protocol, "protocol");
    if (port <= 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
  }

  /** An instance spoken to over HTTP/1.1. */
  public Upstream(String id, String host, int port, int maxConcurrency) {
    this(id, host, port, maxConcurrency, UpstreamProtocol.HTTP_1_1);
  }

  /** An instance spoken to over HTTP/2 with prior knowledge (h2c), one stream per request. */
  public static Upstream h2c(String id, String host, int port, int maxConcurrency) {
    return new Upstream(id, host, port, maxConcurrency, UpstreamProtocol.H2C);
  }

  boolean unlimited() {
    return maxConcurrency <= 0;
  }

  String address() {
    return host + ":" + port;
  }
}
