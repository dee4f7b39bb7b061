package dev.pylon.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What a client sees when instances are missing, refuse, hang up or are slow. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RouterFailureTest {
  private Router router;
  private TestUpstream app;

  private InetSocketAddress start(RouterConfig config, List<Upstream> upstreams) {
    router = new Router(config.withIoThreads(1), AccessLog.none());
    InetSocketAddress address = router.start();
    router.publish(RoutingSnapshot.single(upstreams));
    return address;
  }

  @AfterEach
  void stop() {
    if (router != null) {
      router.close();
    }
    if (app != null) {
      app.close();
    }
  }

  @Test
  void answers503WhileNoInstanceIsReady() throws Exception {
    InetSocketAddress address = start(RouterConfig.defaults("127.0.0.1", 0), List.of());
    try (RawHttp c = new RawHttp(address)) {
      c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
      RawHttp.Response r = c.read();
      assertThat(r.status()).isEqualTo(503);
      assertThat(r.body()).contains("no instance is ready");
      assertThat(r.headers()).containsKey("retry-after");
      // the connection stays usable: a GET has no body left to read
      c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
      assertThat(c.read().status()).isEqualTo(503);
    }
    router.publish(RoutingSnapshot.empty());
    try (RawHttp c = new RawHttp(address)) {
      assertThat(c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n").read().status()).isEqualTo(503);
    }
  }

  @Test
  void answers502WhenTheInstanceRefusesConnections() throws Exception {
    int closedPort = freePort();
    InetSocketAddress address =
        start(
            RouterConfig.defaults("127.0.0.1", 0),
            List.of(new Upstream("dead", "127.0.0.1", closedPort, 0)));
    try (RawHttp c = new RawHttp(address)) {
      RawHttp.Response r =
          c.send("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nhi").read();
      assertThat(r.status()).isEqualTo(502);
      assertThat(r.body()).contains("could not connect");
    }
    assertThat(router.inFlight()).isZero();
  }

  @Test
  void retriesAnotherInstanceWhenOneRefuses() throws Exception {
    app = new TestUpstream("alive");
    int closedPort = freePort();
    InetSocketAddress address =
        start(
            RouterConfig.defaults("127.0.0.1", 0),
            List.of(new Upstream("dead", "127.0.0.1", closedPort, 0), app.upstream(0)));
    for (int i = 0; i < 10; i++) {
      try (RawHttp c = new RawHttp(address)) {
        // a POST too: nothing reached the dead instance, so trying another is safe
        RawHttp.Response r =
            c.send("POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nhi").read();
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).contains("body-length: 2");
      }
    }
    assertThat(app.requests.get()).isEqualTo(10);
  }

  @Test
  void answers502WhenTheInstanceHangsUpBeforeResponding() throws Exception {
    AtomicInteger accepted = new AtomicInteger();
    try (ServerSocket hangUp = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      // the acceptor ends when the socket closes

      Thread.ofVirtual()
          .start(
              () -> {
                while (!hangUp.isClosed()) {
                  try (Socket s = hangUp.accept()) {
                    accepted.incrementAndGet();
                    s.getInputStream().read(new byte[1024]);
                    s.setSoLinger(true, 0); // reset, not a clean close
                  } catch (IOException e) {
                    return;
                  }
                }
              });
      InetSocketAddress address =
          start(
              RouterConfig.defaults("127.0.0.1", 0),
              List.of(new Upstream("rude", "127.0.0.1", hangUp.getLocalPort(), 0)));
      try (RawHttp c = new RawHttp(address)) {
        RawHttp.Response r =
            c.send("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nhi").read();
        assertThat(r.status()).isEqualTo(502);
        assertThat(r.body()).contains("before responding");
      }
      // an idempotent request is retried on another instance, when there is one
      app = new TestUpstream("good");
      router.publish(
          RoutingSnapshot.single(
              List.of(
                  new Upstream("rude", "127.0.0.1", hangUp.getLocalPort(), 0), app.upstream(0))));
      for (int i = 0; i < 6; i++) {
        try (RawHttp c = new RawHttp(address)) {
          assertThat(c.send("GET /echo HTTP/1.1\r\nHost: h\r\n\r\n").read().status())
              .isEqualTo(200);
        }
      }
      assertThat(router.metrics().retries()).isEqualTo(accepted.get() - 1);
    }
  }

  @Test
  void cutsTheClientConnectionWhenTheInstanceDiesMidResponse() throws Exception {
    try (ServerSocket half = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      Thread t =
          Thread.ofVirtual()
              .start(
                  () -> {
                    try (Socket s = half.accept()) {
                      s.getInputStream().read(new byte[1024]);
                      s.getOutputStream()
                          .write(
                              "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial".getBytes());
                      s.getOutputStream().flush();
                      Thread.sleep(100);
                    } catch (Exception e) {
                      // done
                    }
                  });
      InetSocketAddress address =
          start(
              RouterConfig.defaults("127.0.0.1", 0),
              List.of(new Upstream("half", "127.0.0.1", half.getLocalPort(), 0)));
      try (RawHttp c = new RawHttp(address)) {
        c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
        InputStream in = c.inputForTest();
        byte[] all = in.readAllBytes(); // must end: the router closes instead of hanging
        assertThat(new String(all)).startsWith("HTTP/1.1 200").contains("partial");
      }
      t.join(2000);
    }
  }

  @Test
  void answers504WhenTheAppIsTooSlow() throws Exception {
    app = new TestUpstream("slow");
    InetSocketAddress address =
        start(
            RouterConfig.defaults("127.0.0.1", 0).withRequestTimeout(Duration.ofMillis(300)),
            List.of(app.upstream(0)));
    try (RawHttp c = new RawHttp(address)) {
      RawHttp.Response r = c.send("GET /slow?ms=3000 HTTP/1.1\r\nHost: h\r\n\r\n").read();
      assertThat(r.status()).isEqualTo(504);
      c.send("GET /slow?ms=1 HTTP/1.1\r\nHost: h\r\n\r\n");
      assertThat(c.read().status()).isEqualTo(200);
    }
    assertThat(router.metrics().responses(5)).isEqualTo(1);
  }

  @Test
  void portInUseIsAClearError() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      Router second = new Router(RouterConfig.defaults("127.0.0.1", taken.getLocalPort()));
      assertThatThrownBy(second::start)
          .isInstanceOf(RouterBindException.class)
          .hasMessageContaining("127.0.0.1")
          .hasMessageContaining(String.valueOf(taken.getLocalPort()))
          .hasMessageContaining("already in use")
          .hasMessageContaining("--port");
      second.close();
    }
  }

  @Test
  void aSecondRouterOnTheSamePortIsRefusedNotGivenHalfTheConnections() throws Exception {
    // with epoll each event loop listens on its own SO_REUSEPORT socket: another router (also
    // SO_REUSEPORT) must still be told the port is taken rather than share it silently
    router = new Router(RouterConfig.defaults("127.0.0.1", 0).withIoThreads(2), AccessLog.none());
    InetSocketAddress first = router.start();
    Router second =
        new Router(RouterConfig.defaults("127.0.0.1", first.getPort()).withIoThreads(2));
    try {
      assertThatThrownBy(second::start)
          .isInstanceOf(RouterBindException.class)
          .hasMessageContaining("already in use");
    } finally {
      second.close();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
