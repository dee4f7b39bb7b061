package dev.pylon.router;

import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/** What every connection of one router shares. Thread-safe; nothing in it blocks. */
final class RouterContext {
  final RouterConfig config;
  final TrustedProxies trustedProxies;

  /** How clients reach the router, for X-Forwarded-Proto and Forwarded. */
  final String scheme;

  final AtomicReference<RoutingSnapshot> snapshot = new AtomicReference<>(RoutingSnapshot.empty());
  final LeastInFlightBalancer balancer;
  final UpstreamPool pool;
  final RouterMetrics metrics;
  final AccessLog accessLog;

  /** What the control plane said about instances whose process ended. */
  final InstanceExits exits = new InstanceExits();

  final AtomicInteger inFlight = new AtomicInteger();
  final AtomicInteger connections = new AtomicInteger();
  private final ConcurrentHashMap<String, AdmissionQueue> queues = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<EventExecutor, LoopTimeouts> timeouts = new ConcurrentHashMap<>();
  volatile boolean draining;

  /**
   * While draining for a hand-over: how long a connection that has sent nothing is given to send
   * its first request before it is closed. Zero for a plain stop (such connections close at once).
   */
  volatile Duration drainLinger = Duration.ZERO;

  /** Told the backend's name when a request waits for a backend that is scaled to zero. */
  volatile Consumer<String> activation = backend -> {};

  RouterContext(
      RouterConfig config, Transport transport, RouterMetrics metrics, AccessLog accessLog) {
    this.config = config;
    this.trustedProxies = TrustedProxies.parse(config.trustedProxies());
    this.scheme = config.tls() == null ? "http" : "https";
    this.balancer =
        new LeastInFlightBalancer(
            this::slotFreed, UpstreamHealth.baseEjection(config.requestTimeout()));
    this.pool = new UpstreamPool(transport, config, metrics);
    this.metrics = metrics;
    this.accessLog = accessLog;
  }

  /** A request ended (sent {@code status} and {@code bytesSent}): counted, and logged if read. */
  void finished(
      RequestHead head,
      int status,
      long bytesSent,
      long startNanos,
      String upstream,
      String instanceExit) {
    inFlight.decrementAndGet();
    long micros = (System.nanoTime() - startNanos) / 1000;
    metrics.finished(status, bytesSent, micros);
    if (!accessLog.enabled()) {
      return;
    }
    accessLog.log(
        new AccessLogEntry(
            Instant.now(),
            head.clientAddress == null ? "-" : head.clientAddress.getHostAddress(),
            head.method.name(),
            head.target,
            status,
            bytesSent,
            micros,
            upstream,
            head.requestId,
            instanceExit));
  }

  AdmissionQueue queue(String backend) {
    AdmissionQueue q = queues.get(backend);
    return q != null
        ? q
        : queues.computeIfAbsent(backend, b -> new AdmissionQueue(config.maxQueuedRequests()));
  }

  /** The timeout lists of {@code loop}'s connections and requests. */
  LoopTimeouts timeouts(EventExecutor loop) {
    LoopTimeouts t = timeouts.get(loop);
    return t != null ? t : timeouts.computeIfAbsent(loop, l -> LoopTimeouts.of(l, config));
  }

  int queued(String backend) {
    AdmissionQueue q = queues.get(backend);
    return q == null ? 0 : q.size();
  }

  /** New instances may have room for queued requests. */
  void wakeAllQueued() {
    queues.values().forEach(AdmissionQueue::wakeAll);
  }

  private void slotFreed(String backend) {
    AdmissionQueue q = queues.get(backend);
    if (q != null && q.size() > 0) {
      q.wakeOne();
    }
  }
}
