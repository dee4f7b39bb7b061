package dev.pylon.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The proxy path over real sockets, against a real HTTP server standing in for the app. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RouterProxyTest {
  private TestUpstream app;
  private Router router;
  private InetSocketAddress address;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  @BeforeEach
  void start() throws IOException {
    app = new TestUpstream("a");
    router = new Router(RouterConfig.defaults("127.0.0.1", 0).withIoThreads(2), AccessLog.none());
    address = router.start();
    router.publish(RoutingSnapshot.single(List.of(app.upstream(0))));
  }

  @AfterEach
  void stop() {
    router.close();
    app.close();
    http.close();
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + address.getPort() + path);
  }

  @Test
  void forwardsRequestAndAddsForwardingHeaders() throws Exception {
    try (RawHttp c = new RawHttp(address)) {
      c.send(
          "GET /echo?x=1 HTTP/1.1\r\nHost: example.test:8080\r\nConnection: keep-alive, X-Drop\r\n"
              + "X-Drop: secret\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\n"
              + "Proxy-Connection: keep-alive\r\nX-Forwarded-For: 10.9.9.9\r\nX-Custom: kept\r\n\r\n");
      RawHttp.Response r = c.read();
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body())
          .contains("request: GET /echo?x=1")
          .contains("h.x-custom: [kept]")
          .contains("h.host: [example.test:8080]")
          .contains("h.x-forwarded-host: [example.test:8080]")
          .contains("h.x-forwarded-proto: [http]")
          // the test client is 127.0.0.1, a trusted proxy by default: its value is appended to
          .contains("h.x-forwarded-for: [10.9.9.9, 127.0.0.1]")
          .contains("h.forwarded: [for=127.0.0.1;host=\"example.test:8080\";proto=http]")
          .contains("h.x-request-id: [")
          .contains("h.traceparent: [00-")
          .doesNotContain("x-drop")
          .doesNotContain("h.keep-alive")
          .doesNotContain("h.te:")
          .doesNotContain("proxy-connection");
      assertThat(r.headers()).containsEntry("x-upstream", "a");
      assertThat(r.headers()).doesNotContainKeys("x-secret", "keep-alive");
      assertThat(r.headers()).containsKey("x-request-id");
    }
  }

  @Test
  void untrustedClientCannotForgeForwardingHeaders() throws Exception {
    router.close();
    router =
        new Router(
            RouterConfig.defaults("127.0.0.1", 0).withTrustedProxies(List.of()), AccessLog.none());
    address = router.start();
    router.publish(RoutingSnapshot.single(List.of(app.upstream(0))));
    try (RawHttp c = new RawHttp(address)) {
      c.send(
          "GET /echo HTTP/1.1\r\nHost: h\r\nX-Forwarded-For: 6.6.6.6\r\n"
              + "X-Forwarded-Proto: https\r\nForwarded: for=6.6.6.6\r\nX-Request-Id: keep-me-123\r\n\r\n");
      RawHttp.Response r = c.read();
      assertThat(r.body())
          .contains("h.x-forwarded-for: [127.0.0.1]")
          .contains("h.x-forwarded-proto: [http]")
          .contains("h.forwarded: [for=127.0.0.1;host=h;proto=http]")
          .contains("h.x-request-id: [keep-me-123]")
          .doesNotContain("6.6.6.6");
      assertThat(r.headers()).containsEntry("x-request-id", "keep-me-123");
    }
  }

  @Test
  void keepsClientAndUpstreamConnectionsAlive() throws Exception {
    try (RawHttp c = new RawHttp(address)) {
      for (int i = 0; i < 20; i++) {
        c.send("GET /slow?ms=1 HTTP/1.1\r\nHost: h\r\n\r\n");
        RawHttp.Response r = c.read();
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers()).doesNotContainEntry("connection", "close");
      }
    }
    assertThat(app.requests.get()).isEqualTo(20);
    assertThat(app.clientPorts).hasSize(1);
  }

  @Test
  void streamsLargeRequestBodyChunked() throws Exception {
    byte[] block = new byte[1 << 20];
    for (int i = 0; i < block.length; i++) {
      block[i] = (byte) i;
    }
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    int blocks = 24;
    for (int i = 0; i < blocks; i++) {
      sha.update(block);
    }
    try (RawHttp c = new RawHttp(address)) {
      c.send("POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n");
      for (int i = 0; i < blocks; i++) {
        c.output().write((Integer.toHexString(block.length) + "\r\n").getBytes());
        c.output().write(block);
        c.output().write("\r\n".getBytes());
      }
      c.send("0\r\n\r\n");
      RawHttp.Response r = c.read();
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body())
          .contains("body-length: " + (long) blocks * block.length)
          .contains("body-sha256: " + HexFormat.of().formatHex(sha.digest()))
          .contains("h.transfer-encoding: [chunked]");
    }
  }

  @Test
  void streamsContentLengthBody() throws Exception {
    byte[] body = "hello=world".repeat(10_000).getBytes(StandardCharsets.UTF_8);
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(uri("/echo"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .contains("body-length: " + body.length)
        .contains("h.content-length: [" + body.length + "]");
  }

  @Test
  void streamsLargeResponseWithoutBufferingIt() throws Exception {
    long size = 64L << 20;
    HttpResponse<InputStream> r =
        http.send(
            HttpRequest.newBuilder(uri("/bytes?n=" + size)).build(),
            HttpResponse.BodyHandlers.ofInputStream());
    long total = 0;
    try (InputStream in = r.body()) {
      byte[] buf = new byte[65536];
      int n;
      while ((n = in.read(buf)) > 0) {
        total += n;
      }
    }
    assertThat(total).isEqualTo(size);
  }

  @Test
  void serverSentEventsArriveAsTheyAreSent() throws Exception {
    try (RawHttp c = new RawHttp(address)) {
      c.send("GET /sse HTTP/1.1\r\nHost: h\r\n\r\n");
      // headers and the first event must arrive while the app still holds the second one back
      byte[] first = new byte[256];
      InputStream in = c.inputForTest();
      StringBuilder seen = new StringBuilder();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (!seen.toString().contains("data: first") && System.nanoTime() < deadline) {
        int n = in.read(first);
        if (n < 0) {
          break;
        }
        seen.append(new String(first, 0, n, StandardCharsets.UTF_8));
      }
      assertThat(seen.toString()).contains("text/event-stream").contains("data: first");
      assertThat(seen.toString()).doesNotContain("data: second");
      app.releaseSse();
      while (!seen.toString().contains("data: second") && System.nanoTime() < deadline) {
        int n = in.read(first);
        if (n < 0) {
          break;
        }
        seen.append(new String(first, 0, n, StandardCharsets.UTF_8));
      }
      assertThat(seen.toString()).contains("data: second");
    }
  }

  @Test
  void headRequestGetsHeadersOnlyAndConnectionStaysUsable() throws Exception {
    try (RawHttp c = new RawHttp(address)) {
      c.send("HEAD /echo HTTP/1.1\r\nHost: h\r\n\r\n");
      RawHttp.Response head = c.readHead();
      assertThat(head.status()).isEqualTo(200);
      c.send("GET /echo HTTP/1.1\r\nHost: h\r\n\r\n");
      assertThat(c.read().body()).contains("request: GET /echo");
    }
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrder() throws Exception {
    try (RawHttp c = new RawHttp(address)) {
      c.send(
          "GET /slow?ms=50 HTTP/1.1\r\nHost: h\r\n\r\nGET /echo?second HTTP/1.1\r\nHost: h\r\n\r\n"
              + "GET /echo?third HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
      assertThat(c.read().body()).isEqualTo("a");
      assertThat(c.read().body()).contains("request: GET /echo?second");
      RawHttp.Response third = c.read();
      assertThat(third.body()).contains("request: GET /echo?third");
      assertThat(third.headers()).containsEntry("connection", "close");
      assertThat(c.closedByPeer()).isTrue();
    }
  }

  @Test
  void http10ClientGetsBodyEndedByClose() throws Exception {
    try (RawHttp c = new RawHttp(address)) {
      c.send("GET /bytes?n=100000 HTTP/1.0\r\n\r\n");
      RawHttp.Response r = c.read();
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).hasSize(100_000);
    }
  }
}
