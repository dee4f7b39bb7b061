package dev.pylon.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The router in front of a real hypercorn spoken to over h2c (Cloud Run's end-to-end HTTP/2): the
 * app reports the HTTP version it saw, so each test proves the request crossed as an HTTP/2 stream.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class H2cUpstreamTest {
  private static PythonUpstream hypercorn;
  private Router router;

  @BeforeAll
  static void startHypercorn() throws Exception {
    hypercorn = Hypercorn.start(5);
  }

  @AfterAll
  static void stopHypercorn() throws Exception {
    if (hypercorn != null) {
      hypercorn.close();
    }
  }

  @AfterEach
  void stopRouter() {
    if (router != null) {
      router.close();
    }
  }

  private InetSocketAddress start(RouterConfig config, Upstream upstream) {
    router = new Router(config.withIoThreads(1), AccessLog.none());
    InetSocketAddress address = router.start();
    router.publish(RoutingSnapshot.single(List.of(upstream)));
    return address;
  }

  private InetSocketAddress start() {
    return start(
        RouterConfig.defaults("127.0.0.1", 0), Upstream.h2c("h", "127.0.0.1", hypercorn.port(), 0));
  }

  @Test
  void http1RequestsCrossAsStreamsOfOneConnectionWithoutConnectionHeaders() throws Exception {
    InetSocketAddress address = start();
    try (RawHttp c = new RawHttp(address)) {
      for (int i = 0; i < 3; i++) {
        RawHttp.Response r =
            c.send(
                    "GET /info?n="
                        + i
                        + " HTTP/1.1\r\nHost: app.test\r\nConnection: keep-alive, X-Hop\r\n"
                        + "X-Hop: 1\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\n\r\n")
                .read();
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body())
            .contains("\"http_version\": \"2\"")
            .contains("\"path\": \"/info\"")
            .contains("\"host\": \"app.test\"")
            .contains("\"x-forwarded-for\": \"127.0.0.1\"")
            .contains("\"x-request-id\"")
            .doesNotContain("\"connection\"")
            .doesNotContain("\"keep-alive\"")
            .doesNotContain("\"x-hop\"")
            .doesNotContain("\"transfer-encoding\"")
            .doesNotContain("\"upgrade\"")
            .doesNotContain("x-http2");
        assertThat(r.headers()).doesNotContainKey("x-http2-stream-id").containsKey("x-request-id");
      }
    }
    assertThat(router.metrics().http2UpstreamStreams()).isEqualTo(3);
    assertThat(router.metrics().http2UpstreamConnections()).isEqualTo(1);
    assertThat(router.metrics().prometheusText(0))
        .contains("pylon_router_upstream_h2c_streams_total 3");
  }

  @Test
  void requestBodiesStreamThroughFlowControl() throws Exception {
    InetSocketAddress address = start();
    // chunked from the client, larger than hypercorn's 64 KiB stream window
    StringBuilder chunked = new StringBuilder();
    String block = "b".repeat(65536);
    for (int i = 0; i < 5; i++) {
      chunked.append("10000\r\n").append(block).append("\r\n");
    }
    chunked.append("0\r\n\r\n");
    try (RawHttp c = new RawHttp(address)) {
      RawHttp.Response r =
          c.send("POST /upload HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked)
              .read();
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body())
          .contains("\"http_version\": \"2\"")
          .contains("\"method\": \"POST\"")
          .contains("\"body_length\": " + 5 * 65536)
          .doesNotContain("\"transfer-encoding\"");
    }
    byte[] upload = new byte[1_000_000];
    try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + address.getPort() + "/up"))
                  .POST(HttpRequest.BodyPublishers.ofByteArray(upload))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body())
          .contains("\"http_version\": \"2\"")
          .contains("\"body_length\": 1000000")
          .contains("\"content-length\": \"1000000\"");
    }
  }

  @Test
  void streamedResponsesArriveAsTheInstanceSendsThem() throws Exception {
    InetSocketAddress address = start();
    try (RawHttp c = new RawHttp(address)) {
      c.send("GET /stream HTTP/1.1\r\nHost: h\r\n\r\n");
      InputStream in = c.inputForTest();
      String head = readUntil(in, "data: 0");
      long firstEvent = System.nanoTime();
      assertThat(head)
          .startsWith("HTTP/1.1 200")
          .containsIgnoringCase("transfer-encoding: chunked");
      String rest = readUntil(in, "\r\n0\r\n\r\n");
      long end = System.nanoTime();
      assertThat(rest).contains("data: 1").contains("data: 2");
      // the instance sleeps 0.2 s after each event: had the router held the body back, the first
      // event would have come with the others
      assertThat(TimeUnit.NANOSECONDS.toMillis(end - firstEvent)).isGreaterThanOrEqualTo(300);
    }
  }

  @Test
  void headOnlyResponsesKeepTheClientConnectionFramed() throws Exception {
    InetSocketAddress address = start();
    try (RawHttp c = new RawHttp(address)) {
      RawHttp.Response empty = c.send("GET /empty HTTP/1.1\r\nHost: h\r\n\r\n").read();
      assertThat(empty.status()).isEqualTo(204);
      RawHttp.Response head = c.send("HEAD /info HTTP/1.1\r\nHost: h\r\n\r\n").readHead();
      assertThat(head.status()).isEqualTo(200);
      assertThat(head.headers()).containsKey("content-length");
      RawHttp.Response after = c.send("GET /info HTTP/1.1\r\nHost: h\r\n\r\n").read();
      assertThat(after.status()).isEqualTo(200);
      assertThat(after.body()).contains("\"http_version\": \"2\"").contains("\"method\": \"GET\"");
    }
  }

  @Test
  void concurrencyCapHoldsForStreams() throws Exception {
    InetSocketAddress address =
        start(
            RouterConfig.defaults("127.0.0.1", 0),
            Upstream.h2c("capped", "127.0.0.1", hypercorn.port(), 4));
    AtomicInteger peak = new AtomicInteger();
    try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
      List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        responses.add(
            client.sendAsync(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + address.getPort() + "/slow?s=0.2"))
                    .build(),
                HttpResponse.BodyHandlers.ofString()));
      }
      CompletableFuture<Void> all =
          CompletableFuture.allOf(responses.toArray(CompletableFuture[]::new));
      while (!all.isDone()) {
        peak.accumulateAndGet(router.inFlight("capped"), Math::max);
        Thread.sleep(5);
      }
      for (CompletableFuture<HttpResponse<String>> f : responses) {
        HttpResponse<String> r = f.get(20, TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"http_version\": \"2\"");
      }
    }
    assertThat(peak.get()).isBetween(1, 4);
    assertThat(router.metrics().http2UpstreamStreams()).isEqualTo(16);
    assertThat(router.metrics().http2UpstreamConnections()).isEqualTo(1);
  }

  @Test
  void manyConcurrentRequestsSpreadOverSeveralConnections() throws Exception {
    InetSocketAddress address = start();
    try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
      List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        responses.add(
            client.sendAsync(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + address.getPort() + "/slow?s=0.5"))
                    .build(),
                HttpResponse.BodyHandlers.ofString()));
      }
      for (CompletableFuture<HttpResponse<String>> f : responses) {
        HttpResponse<String> r = f.get(20, TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"http_version\": \"2\"");
      }
    }
    // 16 streams per connection before another is opened (one event loop here)
    assertThat(router.metrics().http2UpstreamConnections()).isBetween(2L, 3L);
  }

  @Test
  void aSlowStreamGets504AndTheConnectionServesTheNextRequest() throws Exception {
    InetSocketAddress address =
        start(
            RouterConfig.defaults("127.0.0.1", 0).withRequestTimeout(Duration.ofSeconds(1)),
            Upstream.h2c("h", "127.0.0.1", hypercorn.port(), 0));
    try (RawHttp c = new RawHttp(address)) {
      assertThat(c.send("GET /slow?s=4 HTTP/1.1\r\nHost: h\r\n\r\n").read().status())
          .isEqualTo(504);
      RawHttp.Response next = c.send("GET /info HTTP/1.1\r\nHost: h\r\n\r\n").read();
      assertThat(next.status()).isEqualTo(200);
      assertThat(next.body()).contains("\"http_version\": \"2\"");
    }
    assertThat(router.metrics().http2UpstreamConnections()).isEqualTo(1);
  }

  @Test
  void http2ClientsGoEndToEnd() throws Exception {
    Path curl = Path.of("/usr/bin/curl");
    assumeTrue(Files.isExecutable(curl), "curl is not installed");
    InetSocketAddress address = start();
    String url = "http://127.0.0.1:" + address.getPort() + "/e2e";
    for (String mode : List.of("--http2-prior-knowledge", "--http2")) {
      Process p =
          new ProcessBuilder(curl.toString(), "-sv", mode, url).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(out).as(mode).contains("< HTTP/2 200").contains("\"http_version\": \"2\"");
    }
  }

  @Test
  void webSocketsFallBackToHttp11OnTheSamePort() throws Exception {
    InetSocketAddress address = start();
    LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
    try (HttpClient http = HttpClient.newHttpClient()) {
      WebSocket ws =
          http.newWebSocketBuilder()
              .buildAsync(
                  URI.create("ws://127.0.0.1:" + address.getPort() + "/ws"),
                  new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(
                        WebSocket webSocket, CharSequence data, boolean last) {
                      received.add(data.toString());
                      webSocket.request(1);
                      return null;
                    }
                  })
              .get(10, TimeUnit.SECONDS);
      ws.sendText("hi", true).get(5, TimeUnit.SECONDS);
      assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo("echo 1.1 hi");
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void aDeadConnectionDoesNotWedgeRequests() throws Exception {
    PythonUpstream first = Hypercorn.start(5);
    int port = first.port();
    InetSocketAddress address;
    try {
      address =
          start(RouterConfig.defaults("127.0.0.1", 0), Upstream.h2c("own", "127.0.0.1", port, 0));
      try (RawHttp c = new RawHttp(address)) {
        assertThat(c.send("GET /info HTTP/1.1\r\nHost: h\r\n\r\n").read().status()).isEqualTo(200);
        // the instance dies with a request under way: the request is answered, not left hanging
        c.send("GET /slow?s=10 HTTP/1.1\r\nHost: h\r\n\r\n");
        Thread.sleep(300);
        first.kill();
        assertThat(c.read().status()).isEqualTo(502);
      }
    } finally {
      first.close();
    }
    // back on the same port: new requests use a new connection
    long opened = router.metrics().http2UpstreamConnections();
    PythonUpstream again = Hypercorn.start(5, port);
    try (RawHttp c = new RawHttp(address)) {
      RawHttp.Response r = c.send("GET /info HTTP/1.1\r\nHost: h\r\n\r\n").read();
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).contains("\"http_version\": \"2\"");
    } finally {
      again.close();
    }
    assertThat(router.metrics().http2UpstreamConnections()).isEqualTo(opened + 1);
  }

  @Test
  void connectionsIdleLongerThanTheUpstreamIdleTimeoutAreReplaced() throws Exception {
    // hypercorn closes a connection idle for 1 s; the router stops using one idle for 1.5 s
    try (PythonUpstream shortKeepAlive = Hypercorn.start(1)) {
      InetSocketAddress address =
          start(
              RouterConfig.defaults("127.0.0.1", 0),
              Upstream.h2c("k", "127.0.0.1", shortKeepAlive.port(), 0));
      try (RawHttp c = new RawHttp(address)) {
        for (int i = 0; i < 3; i++) {
          if (i > 0) {
            Thread.sleep(1600);
          }
          RawHttp.Response r =
              c.send("POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nhi").read();
          assertThat(r.status()).isEqualTo(200);
          assertThat(r.body()).contains("\"http_version\": \"2\"").contains("\"body_length\": 2");
        }
      }
      assertThat(router.metrics().http2UpstreamConnections()).isEqualTo(3);
    }
  }

  private static String readUntil(InputStream in, String marker) throws IOException {
    ByteArrayOutputStream seen = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1) {
      seen.write(b);
      if (seen.toString(StandardCharsets.ISO_8859_1).endsWith(marker)) {
        return seen.toString(StandardCharsets.ISO_8859_1);
      }
    }
    throw new IOException("connection closed before " + marker + ": " + seen);
  }
}
