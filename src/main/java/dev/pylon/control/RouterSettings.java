package dev.pylon.control;

import dev.pylon.router.RouterConfig;
import dev.pylon.router.TlsFiles;
import dev.pylon.spec.ServerCommand;
import dev.pylon.spec.ServiceSpec;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The router flags of {@code pylon run}; each empty one takes the spec's value or the router's
 * default.
 *
 * @param concurrency requests one instance takes at once (Cloud Run's containerConcurrency)
 * @param bufferRequests read request bodies before they reach an instance; empty: on for sync WSGI
 *     servers (gunicorn, the built-in worker), off for uvicorn and entrypoints
 * @param maxConnections client connections held open at once; past it new ones are closed
 */
public record RouterSettings(
    OptionalInt concurrency,
    Optional<Duration> requestTimeout,
    Optional<Duration> queueTimeout,
    Optional<List<String>> trustedProxies,
    OptionalLong maxBodyBytes,
    Optional<Boolean> bufferRequests,
    Optional<TlsFiles> tls,
    OptionalInt maxConnections) {

  /** How much of a body is read before an instance is chosen, when buffering is on. */
  static final long BUFFERED_BODY_BYTES = 8L * 1024 * 1024;

  public static RouterSettings defaults() {
    return new RouterSettings(
        OptionalInt.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        OptionalLong.empty(),
        Optional.empty(),
        Optional.empty(),
        OptionalInt.empty());
  }

  RouterConfig config(String host, int port, ServiceSpec spec) {
    RouterConfig defaults = RouterConfig.defaults(host, port);
    RouterConfig config =
        defaults
            .withRequestTimeout(requestTimeout.orElse(spec.concurrency().requestTimeout()))
            .withQueue(defaults.maxQueuedRequests(), queueTimeout.orElse(defaults.queueTimeout()));
    if (trustedProxies.isPresent()) {
      config = config.withTrustedProxies(trustedProxies.get());
    }
    if (maxBodyBytes.isPresent()) {
      config = config.withMaxBodySize(maxBodyBytes.getAsLong());
    }
    if (bufferRequests.orElse(isSyncWsgi(spec.server().kind()))) {
      config = config.withRequestBuffering(BUFFERED_BODY_BYTES);
    }
    if (tls.isPresent()) {
      config = config.withTls(tls.get());
    }
    if (maxConnections.isPresent()) {
      config = config.withMaxConnections(maxConnections.getAsInt());
    }
    return config;
  }

  int concurrencyPerInstance(ServiceSpec spec) {
    return concurrency.orElse(spec.concurrency().maxPerInstance());
  }

  /** A slow upload would hold one of a sync server's few threads: nginx's reason to buffer. */
  private static boolean isSyncWsgi(ServerCommand.Kind kind) {
    return kind == ServerCommand.Kind.GUNICORN || kind == ServerCommand.Kind.BUILTIN;
  }
}
