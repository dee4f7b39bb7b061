package dev.pylon.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Body limits, slow and idle clients, Expect: 100-continue, and what the access log records. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ClientLimitsTest {
  private TestUpstream app;
  private Router router;
  private InetSocketAddress address;
  private final List<AccessLogEntry> log = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    app = new TestUpstream("a");
    RouterConfig config =
        RouterConfig.defaults("127.0.0.1", 0)
            .withIoThreads(1)
            .withMaxBodySize(100_000)
            .withClientTimeouts(
                Duration.ofMillis(500), Duration.ofMillis(500), Duration.ofMillis(500));
    router = new Router(config, log::add);
    address = router.start();
    router.publish(RoutingSnapshot.single(List.of(app.upstream(0))));
  }

  @AfterEach
  void stop() {
    router.close();
    app.close();
  }

  @Test
  void chunkedBodyOverTheLimitGets413AndClose() throws Exception {
    try (RawHttp c = new RawHttp(address)) {
      c.send("POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n");
      byte[] block = new byte[30_000];
      try {
        for (int i = 0; i < 5; i++) {
          c.output().write((Integer.toHexString(block.length) + "\r\n").getBytes());
          c.output().write(block);
          c.output().write("\r\n".getBytes());
        }
      } catch (java.io.IOException closedOnUs) {
        // the router may close before the client finishes writing
      }
      RawHttp.Response r = c.read();
      assertThat(r.status()).isEqualTo(413);
      assertThat(c.closedByPeer()).isTrue();
    }
  }

  @Test
  void stalledBodyGets408AndClose() throws Exception {
    try (RawHttp c = new RawHttp(address)) {
      c.send("POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc");
      RawHttp.Response r = c.read();
      assertThat(r.status()).isEqualTo(408);
      assertThat(c.closedByPeer()).isTrue();
    }
  }

  @Test
  void incompleteHeadersAreCutOff() throws Exception {
    try (RawHttp c = new RawHttp(address)) {
      c.send("GET / HTTP/1.1\r\nHost: h\r\nX-Slow: ");
      assertThat(c.closedByPeer()).isTrue();
    }
    assertThat(app.requests.get()).isZero();
  }

  @Test
  void idleKeepAliveConnectionsAreClosed() throws Exception {
    try (RawHttp c = new RawHttp(address)) {
      assertThat(c.send("GET /echo HTTP/1.1\r\nHost: h\r\n\r\n").read().status()).isEqualTo(200);
      c.timeout(3000);
      assertThat(c.closedByPeer()).isTrue();
    }
  }

  @Test
  void expectContinueIsPassedThrough() throws Exception {
    try (RawHttp c = new RawHttp(address)) {
      c.send("POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
      RawHttp.Response interim = c.read();
      assertThat(interim.status()).isEqualTo(100);
      RawHttp.Response r = c.send("hello").read();
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).contains("body-length: 5");
    }
  }

  @Test
  void accessLogRecordsEveryRequest() throws Exception {
    try (RawHttp c = new RawHttp(address)) {
      c.send("GET /echo?q=1 HTTP/1.1\r\nHost: h\r\nX-Request-Id: abc-1\r\n\r\n").read();
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (log.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    AccessLogEntry e = log.get(0);
    assertThat(e.method()).isEqualTo("GET");
    assertThat(e.target()).isEqualTo("/echo?q=1");
    assertThat(e.status()).isEqualTo(200);
    assertThat(e.bytesSent()).isPositive();
    assertThat(e.upstream()).isEqualTo("127.0.0.1:" + app.port());
    assertThat(e.requestId()).isEqualTo("abc-1");
    assertThat(e.client()).isEqualTo("127.0.0.1");
    assertThat(e.toLine()).contains("\"GET /echo?q=1\" 200").contains("abc-1");
    assertThat(router.metrics().prometheusText(router.inFlight()))
        .contains("pylon_router_requests_total{code=\"2xx\"} 1")
        .contains("pylon_router_request_duration_seconds_count 1")
        .contains("pylon_router_in_flight 0");
  }
}
