package dev.pylon.router;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Every knob of the router, with its default beside it in {@link #defaults}.
 *
 * @param bindHost address to listen on
 * @param port port to listen on; 0 picks a free one
 * @param ioThreads event loop threads; {@code <= 0} means one per core
 * @param connectTimeout how long to wait for an instance to accept a connection
 * @param requestTimeout a request not answered in full by then gets 504 (Cloud Run's 300 s)
 * @param maxQueuedRequests requests that may wait per revision while every instance is at its
 *     concurrency cap; past it a request gets 503 with Retry-After
 * @param queueTimeout how long a request may wait for capacity before it gets 503
 * @param maxRetries how many other attempts a request gets after a failed connect, or after an
 *     idempotent request's upstream closed before sending a byte
 * @param headerReadTimeout a new connection must send complete request headers by then (slowloris)
 * @param keepAliveTimeout an idle client keep-alive connection is closed after this long
 * @param bodyReadTimeout a request body that stalls this long gets 408 and the connection closed
 * @param upstreamIdleTimeout a pooled instance connection idle this long is not reused (kept below
 *     gunicorn's 2 s keep-alive so the instance rarely closes one under us)
 * @param maxIdlePerUpstream idle pooled connections kept per instance and event loop
 * @param maxConnections client connections accepted at once; more are closed at once
 * @param maxInitialLineLength longest request line accepted (longer: 414)
 * @param maxHeaderSize largest header block accepted (larger: 431)
 * @param maxHeaderCount most header fields accepted (more: 431)
 * @param maxBodySize largest request body accepted (larger: 413); Cloud Run's 32 MiB
 * @param requestBufferSize read request bodies up to this size in full before choosing an instance,
 *     so a slow upload does not hold a worker of a sync server (nginx's request buffering); larger
 *     bodies stream once this much has arrived. 0 streams every body at once
 * @param trustedProxies client addresses or CIDR ranges whose X-Forwarded-* and Forwarded headers
 *     are kept and appended to (gunicorn's forwarded_allow_ips); from anyone else they are replaced
 * @param tls PEM certificate chain and key to serve HTTPS with, or null for plain HTTP
 */
public record RouterConfig(
    String bindHost,
    int port,
    int ioThreads,
    Duration connectTimeout,
    Duration requestTimeout,
    int maxQueuedRequests,
    Duration queueTimeout,
    int maxRetries,
    Duration headerReadTimeout,
    Duration keepAliveTimeout,
    Duration bodyReadTimeout,
    Duration upstreamIdleTimeout,
    int maxIdlePerUpstream,
    int maxConnections,
    int maxInitialLineLength,
    int maxHeaderSize,
    int maxHeaderCount,
    long maxBodySize,
    long requestBufferSize,
    List<String> trustedProxies,
    TlsFiles tls) {

  public RouterConfig {
    Objects.requireNonNull(bindHost, "bindHost");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    Objects.requireNonNull(queueTimeout, "queueTimeout");
    Objects.requireNonNull(headerReadTimeout, "headerReadTimeout");
    Objects.requireNonNull(keepAliveTimeout, "keepAliveTimeout");
    Objects.requireNonNull(bodyReadTimeout, "bodyReadTimeout");
    Objects.requireNonNull(upstreamIdleTimeout, "upstreamIdleTimeout");
    trustedProxies = List.copyOf(trustedProxies);
    TrustedProxies.parse(trustedProxies); // fail early on a malformed entry
  }

  public static RouterConfig defaults(String bindHost, int port) {
    return new RouterConfig(
        bindHost,
        port,
        0,
        Duration.ofSeconds(5),
        Duration.ofSeconds(300),
        1000,
        Duration.ofSeconds(30),
        2,
        Duration.ofSeconds(20),
        Duration.ofSeconds(60),
        Duration.ofSeconds(60),
        Duration.ofMillis(1500),
        64,
        10_000,
        8 * 1024,
        16 * 1024,
        100,
        32L * 1024 * 1024,
        0,
        List.of("127.0.0.1", "::1"),
        null);
  }

  public RouterConfig withRequestTimeout(Duration timeout) {
    return edit(c -> c.requestTimeout = timeout);
  }

  public RouterConfig withMaxConnections(int connections) {
    return edit(c -> c.maxConnections = connections);
  }

  public RouterConfig withUpstreamIdleTimeout(Duration idle) {
    return edit(c -> c.upstreamIdleTimeout = idle);
  }

  public RouterConfig withQueue(int maxQueued, Duration timeout) {
    return edit(
        c -> {
          c.maxQueuedRequests = maxQueued;
          c.queueTimeout = timeout;
        });
  }

  public RouterConfig withTrustedProxies(List<String> proxies) {
    return edit(c -> c.trustedProxies = proxies);
  }

  public RouterConfig withMaxBodySize(long bytes) {
    return edit(c -> c.maxBodySize = bytes);
  }

  public RouterConfig withClientTimeouts(Duration headerRead, Duration keepAlive, Duration body) {
    return edit(
        c -> {
          c.headerReadTimeout = headerRead;
          c.keepAliveTimeout = keepAlive;
          c.bodyReadTimeout = body;
        });
  }

  public RouterConfig withIoThreads(int threads) {
    return edit(c -> c.ioThreads = threads);
  }

  public RouterConfig withRequestBuffering(long bytes) {
    return edit(c -> c.requestBufferSize = bytes);
  }

  /** Serve HTTPS with these PEM files (reloaded when they change on disk). */
  public RouterConfig withTls(TlsFiles files) {
    return edit(c -> c.tls = files);
  }

  private RouterConfig edit(Consumer<Fields> change) {
    Fields f = new Fields(this);
    change.accept(f);
    return f.build();
  }

  /** The record's components, changeable, so each {@code with...} names only what it changes. */
  private static final class Fields {
    String bindHost;
    int port;
    int ioThreads;
    Duration connectTimeout;
    Duration requestTimeout;
    int maxQueuedRequests;
    Duration queueTimeout;
    int maxRetries;
    Duration headerReadTimeout;
    Duration keepAliveTimeout;
    Duration bodyReadTimeout;
    Duration upstreamIdleTimeout;
    int maxIdlePerUpstream;
    int maxConnections;
    int maxInitialLineLength;
    int maxHeaderSize;
    int maxHeaderCount;
    long maxBodySize;
    long requestBufferSize;
    List<String> trustedProxies;
    TlsFiles tls;

    Fields(RouterConfig o) {
      bindHost = o.bindHost;
      port = o.port;
      ioThreads = o.ioThreads;
      connectTimeout = o.connectTimeout;
      requestTimeout = o.requestTimeout;
      maxQueuedRequests = o.maxQueuedRequests;
      queueTimeout = o.queueTimeout;
      maxRetries = o.maxRetries;
      headerReadTimeout = o.headerReadTimeout;
      keepAliveTimeout = o.keepAliveTimeout;
      bodyReadTimeout = o.bodyReadTimeout;
      upstreamIdleTimeout = o.upstreamIdleTimeout;
      maxIdlePerUpstream = o.maxIdlePerUpstream;
      maxConnections = o.maxConnections;
      maxInitialLineLength = o.maxInitialLineLength;
      maxHeaderSize = o.maxHeaderSize;
      maxHeaderCount = o.maxHeaderCount;
      maxBodySize = o.maxBodySize;
      requestBufferSize = o.requestBufferSize;
      trustedProxies = o.trustedProxies;
      tls = o.tls;
    }

    RouterConfig build() {
      return new RouterConfig(
          bindHost,
          port,
          ioThreads,
          connectTimeout,
          requestTimeout,
          maxQueuedRequests,
          queueTimeout,
          maxRetries,
          headerReadTimeout,
          keepAliveTimeout,
          bodyReadTimeout,
          upstreamIdleTimeout,
          maxIdlePerUpstream,
          maxConnections,
          maxInitialLineLength,
          maxHeaderSize,
          maxHeaderCount,
          maxBodySize,
          requestBufferSize,
          trustedProxies,
          tls);
    }
  }
}
