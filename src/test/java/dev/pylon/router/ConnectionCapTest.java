package dev.pylon.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code maxConnections} caps client connections: past it a new connection is closed before it is
 * read or answered, and each one that closes makes room. Every kind of connection counts once, from
 * accept to close: plain HTTP/1, TLS, HTTP/2 (not per stream) and WebSocket tunnels.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConnectionCapTest {
  private static final int CAP = 3;
  private TestUpstream app;
  private Router router;
  private InetSocketAddress address;
  private Path dir;

  @BeforeEach
  void setUp() throws Exception {
    app = new TestUpstream("a");
  }

  @AfterEach
  void tearDown() throws Exception {
    if (router != null) {
      router.close();
    }
    app.close();
    if (dir != null) {
      try (var files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private void start(RouterConfig config) {
    router = new Router(config.withIoThreads(1), AccessLog.none());
    address = router.start();
    router.publish(RoutingSnapshot.single(List.of(app.upstream(0))));
  }

  private static void awaitCount(IntSupplier count, int expected) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (count.getAsInt() != expected) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("count is " + count.getAsInt() + ", expected " + expected);
      }
      Thread.sleep(5);
    }
  }

  @Test
  void theConnectionPastTheCapIsClosedUnansweredAndAClosedOneMakesRoom() throws Exception {
    start(RouterConfig.defaults("127.0.0.1", 0).withMaxConnections(CAP));
    List<RawHttp> idle = new ArrayList<>();
    try {
      for (int i = 0; i < CAP; i++) {
        idle.add(new RawHttp(address));
      }
      awaitCount(router::connections, CAP);

      try (RawHttp over = new RawHttp(address)) {
        try {
          over.send("GET /echo HTTP/1.1\r\nHost: h\r\n\r\n");
        } catch (IOException closedAlready) {
          // the router may have closed it before the request went out
        }
        assertThat(over.closedByPeer()).as("closed with no response byte").isTrue();
      }
      awaitCount(router::connections, CAP);
      assertThat(app.requests.get()).isZero();

      // the idle ones are still served
      assertThat(idle.get(0).send("GET /echo HTTP/1.1\r\nHost: h\r\n\r\n").read().status())
          .isEqualTo(200);

      idle.remove(CAP - 1).close();
      awaitCount(router::connections, CAP - 1);
      try (RawHttp next = new RawHttp(address)) {
        assertThat(next.send("GET /echo HTTP/1.1\r\nHost: h\r\n\r\n").read().status())
            .isEqualTo(200);
      }
    } finally {
      for (RawHttp c : idle) {
        c.close();
      }
    }
    awaitCount(router::connections, 0);
  }

  @Test
  void tlsAndHttp2ConnectionsCountOnceEach() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "openssl is not installed");
    dir = Files.createTempDirectory("pylon-router-cap");
    TlsFiles files = TestCertificates.make(dir, "cap");
    start(RouterConfig.defaults("127.0.0.1", 0).withMaxConnections(CAP).withTls(files));
    SSLContext trust = TestCertificates.trusting(files.certificateChain());

    try (HttpClient h2 =
        HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(trust).build()) {
      // one request first: the JDK client opens a connection per request until it knows h2
      URI first = URI.create("https://127.0.0.1:" + address.getPort() + "/echo");
      assertThat(
              h2.send(HttpRequest.newBuilder(first).build(), HttpResponse.BodyHandlers.ofString())
                  .version())
          .isEqualTo(HttpClient.Version.HTTP_2);
      // then ten concurrent streams on that HTTP/2 connection: still one connection
      List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        responses.add(
            h2.sendAsync(
                HttpRequest.newBuilder(
                        URI.create("https://127.0.0.1:" + address.getPort() + "/echo?n=" + i))
                    .build(),
                HttpResponse.BodyHandlers.ofString()));
      }
      for (var r : responses) {
        HttpResponse<String> response = r.get(10, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
      }
      assertThat(router.connections()).isEqualTo(1);

      // two TLS HTTP/1 connections fill the cap; the next one is closed during its handshake
      List<SSLSocket> tls = new ArrayList<>();
      try {
        for (int i = 0; i < CAP - 1; i++) {
          SSLSocket s = handshake(trust);
          tls.add(s);
        }
        awaitCount(router::connections, CAP);
        assertThatThrownBy(() -> handshake(trust).close()).isInstanceOf(IOException.class);
        awaitCount(router::connections, CAP);
      } finally {
        for (SSLSocket s : tls) {
          s.close();
        }
      }
      awaitCount(router::connections, 1);
    }
    awaitCount(router::connections, 0);
  }

  private SSLSocket handshake(SSLContext trust) throws IOException {
    SSLSocket s =
        (SSLSocket) trust.getSocketFactory().createSocket(address.getAddress(), address.getPort());
    s.setSoTimeout(5000);
    try {
      s.startHandshake();
      return s;
    } catch (IOException e) {
      s.close();
      throw e;
    }
  }

  @Test
  void connectionsThatEndInEveryWayAreAllUncounted() throws Exception {
    start(RouterConfig.defaults("127.0.0.1", 0).withMaxConnections(100));
    // keep-alive, Connection: close, a malformed request, a client that vanishes mid-request
    try (RawHttp c = new RawHttp(address)) {
      c.send("GET /echo HTTP/1.1\r\nHost: h\r\n\r\n").read();
      c.send("GET /echo HTTP/1.1\r\nHost: h\r\n\r\n").read();
    }
    try (RawHttp c = new RawHttp(address)) {
      c.send("GET /echo HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n").read();
    }
    try (RawHttp c = new RawHttp(address)) {
      c.send("GET /a b HTTP/1.1\r\nHost: h\r\n\r\n").read();
    }
    try (RawHttp c = new RawHttp(address)) {
      c.send("POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\nabc");
    }
    try (RawHttp c = new RawHttp(address)) {
      c.send("GET /hold HTTP/1.1\r\nHost: h\r\n\r\n");
      awaitCount(app.active::get, 1);
    }
    app.releaseHeld();
    awaitCount(router::connections, 0);
    awaitCount(router::inFlight, 0);
  }
}
