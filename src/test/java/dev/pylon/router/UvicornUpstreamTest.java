package dev.pylon.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The router in front of a real uvicorn with two workers. Such a uvicorn writes a response's head
 * and body in two small sends with Nagle's algorithm on, so the body waits for the ACK of the head;
 * a receiver that delays its ACKs (Linux: 40 ms) makes every keep-alive request take 40 ms. The
 * router acknowledges at once, so requests through it do not wait.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UvicornUpstreamTest {
  private static final int REQUESTS = 200;
  private static PythonUpstream uvicorn;
  private static Router router;
  private static InetSocketAddress address;

  @BeforeAll
  static void start() throws Exception {
    uvicorn = PythonUpstream.uvicorn("asgi_app.py", "--workers", "2");
    router = new Router(RouterConfig.defaults("127.0.0.1", 0).withIoThreads(1), AccessLog.none());
    address = router.start();
    router.publish(
        RoutingSnapshot.single(List.of(new Upstream("u", "127.0.0.1", uvicorn.port(), 0))));
  }

  @AfterAll
  static void stop() throws Exception {
    if (router != null) {
      router.close();
    }
    if (uvicorn != null) {
      uvicorn.close();
    }
  }

  @Test
  void keepAliveRequestsDoNotWaitForDelayedAcks() throws Exception {
    try (RawHttp c = new RawHttp(address)) {
      c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n").read(); // connects to uvicorn outside the clock
      long start = System.nanoTime();
      for (int i = 0; i < REQUESTS; i++) {
        RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n").read();
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("Hello, World!\n");
      }
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      // waiting for each delayed ACK would take 200 x 40 ms = 8 s; without it this takes well
      // under a second even on a loaded machine
      assertThat(millis)
          .as("%d keep-alive requests through the router took %d ms", REQUESTS, millis)
          .isLessThan(4000);
    }
  }
}
