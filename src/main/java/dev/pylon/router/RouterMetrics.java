package dev.pylon.router;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters and a latency histogram, cheap to update from any event loop, rendered in the Prometheus
 * text format for the admin port's {@code /metrics}.
 */
public final class RouterMetrics {
  private static final double[] BUCKETS = {
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300
  };
  private final LongAdder[] byStatusClass = adders(6);
  private final LongAdder bytesSent = new LongAdder();
  private final LongAdder connectFailures = new LongAdder();
  private final LongAdder retries = new LongAdder();
  private final LongAdder resends = new LongAdder();
  private final LongAdder queueRejections = new LongAdder();
  private final LongAdder queueTimeouts = new LongAdder();
  private final LongAdder requestTimeouts = new LongAdder();
  private final LongAdder malformedRequests = new LongAdder();
  private final LongAdder clientAborts = new LongAdder();
  private final LongAdder tunnelsOpened = new LongAdder();
  private final LongAdder tunnelsOpen = new LongAdder();
  private final LongAdder[] durationBuckets = adders(BUCKETS.length);
  private final LongAdder durationMicrosSum = new LongAdder();
  private final LongAdder http2UpstreamStreams = new LongAdder();
  private final LongAdder http2UpstreamConnections = new LongAdder();

  /** Requests finished with a status of class {@code n}xx (1..5). */
  public long responses(int statusClass) {
    return byStatusClass[statusClass].sum();
  }

  public long requests() {
    long total = 0;
    for (LongAdder a : byStatusClass) {
      total += a.sum();
    }
    return total;
  }

  public long retries() {
    return retries.sum();
  }

  /** Requests sent again on a new connection after their pooled one failed before answering. */
  public long resends() {
    return resends.sum();
  }

  public long queueRejections() {
    return queueRejections.sum();
  }

  public long malformedRequests() {
    return malformedRequests.sum();
  }

  /** WebSocket tunnels open now (each also counts as a request in flight). */
  public int openWebSockets() {
    return (int) tunnelsOpen.sum();
  }

  /** WebSocket handshakes the instances accepted so far. */
  public long webSocketsOpened() {
    return tunnelsOpened.sum();
  }

  void finished(int status, long bytes, long durationMicros) {
    int cls = status / 100;
    byStatusClass[cls >= 1 && cls <= 5 ? cls : 0].increment();
    bytesSent.add(bytes);
    durationMicrosSum.add(durationMicros);
    double seconds = durationMicros / 1e6;
    for (int i = 0; i < BUCKETS.length; i++) {
      if (seconds <= BUCKETS[i]) {
        durationBuckets[i].increment();
        break;
      }
    }
  }

  void connectFailed() {
    connectFailures.increment();
  }

  void retried() {
    retries.increment();
  }

  void resentOnFreshConnection() {
    resends.increment();
  }

  void queueRejected() {
    queueRejections.increment();
  }

  void queueTimedOut() {
    queueTimeouts.increment();
  }

  void requestTimedOut() {
    requestTimeouts.increment();
  }

  void malformed() {
    malformedRequests.increment();
  }

  void clientAborted() {
    clientAborts.increment();
  }

  /** Requests sent to instances as HTTP/2 streams (h2c upstreams). */
  public long http2UpstreamStreams() {
    return http2UpstreamStreams.sum();
  }

  /** HTTP/2 connections opened to h2c instances. */
  public long http2UpstreamConnections() {
    return http2UpstreamConnections.sum();
  }

  void http2UpstreamStreamOpened() {
    http2UpstreamStreams.increment();
  }

  void http2UpstreamConnectionOpened() {
    http2UpstreamConnections.increment();
  }

  void tunnelOpened() {
    tunnelsOpened.increment();
    tunnelsOpen.increment();
  }

  void tunnelClosed() {
    tunnelsOpen.decrement();
  }

  /** The counters in Prometheus text exposition format. */
  public String prometheusText(int inFlight) {
    StringBuilder sb = new StringBuilder(2048);
    sb.append("# TYPE pylon_router_requests_total counter\n");
    for (int cls = 1; cls <= 5; cls++) {
      sb.append("pylon_router_requests_total{code=\"")
          .append(cls)
          .append("xx\"} ")
          .append(byStatusClass[cls].sum())
          .append('\n');
    }
    counter(sb, "pylon_router_response_bytes_total", bytesSent);
    counter(sb, "pylon_router_upstream_connect_failures_total", connectFailures);
    counter(sb, "pylon_router_retries_total", retries);
    counter(sb, "pylon_router_stale_connection_resends_total", resends);
    counter(sb, "pylon_router_queue_rejections_total", queueRejections);
    counter(sb, "pylon_router_queue_timeouts_total", queueTimeouts);
    counter(sb, "pylon_router_request_timeouts_total", requestTimeouts);
    counter(sb, "pylon_router_malformed_requests_total", malformedRequests);
    counter(sb, "pylon_router_client_aborts_total", clientAborts);
    counter(sb, "pylon_router_upstream_h2c_streams_total", http2UpstreamStreams);
    counter(sb, "pylon_router_upstream_h2c_connections_total", http2UpstreamConnections);
    counter(sb, "pylon_router_websockets_total", tunnelsOpened);
    sb.append("# TYPE pylon_router_in_flight gauge\npylon_router_in_flight ")
        .append(inFlight)
        .append('\n');
    sb.append("# TYPE pylon_router_websockets_open gauge\npylon_router_websockets_open ")
        .append(tunnelsOpen.sum())
        .append('\n');
    sb.append("# TYPE pylon_router_request_duration_seconds histogram\n");
    long cumulative = 0;
    for (int i = 0; i < BUCKETS.length; i++) {
      cumulative += durationBuckets[i].sum();
      sb.append("pylon_router_request_duration_seconds_bucket{le=\"")
          .append(BUCKETS[i])
          .append("\"} ")
          .append(cumulative)
          .append('\n');
    }
    long count = requests();
    sb.append("pylon_router_request_duration_seconds_bucket{le=\"+Inf\"} ")
        .append(count)
        .append('\n');
    sb.append("pylon_router_request_duration_seconds_sum ")
        .append(durationMicrosSum.sum() / 1e6)
        .append('\n');
    sb.append("pylon_router_request_duration_seconds_count ").append(count).append('\n');
    return sb.toString();
  }

  private static void counter(StringBuilder sb, String name, LongAdder value) {
    sb.append("# TYPE ")
        .append(name)
        .append(" counter\n")
        .append(name)
        .append(' ')
        .append(value.sum())
        .append('\n');
  }

  private static LongAdder[] adders(int n) {
    LongAdder[] out = new LongAdder[n];
    for (int i = 0; i < n; i++) {
      out[i] = new LongAdder();
    }
    return out;
  }
}
