package dev.pylon.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An instance closes an idle keep-alive connection just as the router sends a request on it (the
 * keep-alive race every pooling proxy meets). Here gunicorn's keep-alive (1 s) is shorter than the
 * router's pool idle limit (5 s), and bursts of POSTs come about a second apart: gunicorn closes a
 * burst's connections while the router is busy reading the next burst, whose requests would take
 * those connections with the close still unread in the kernel (before the pool asked the kernel,
 * this lost about 1 POST in 70 as 502). None may fail. PooledConnectionResendTest covers the other
 * side of the race, a connection closed after the request was sent.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StalePooledConnectionTest {
  private static final int CLIENTS = 24;
  private static final int REQUESTS = 300;
  private static PythonUpstream gunicorn;
  private static Router router;
  private static InetSocketAddress address;

  @BeforeAll
  static void start() throws Exception {
    gunicorn = PythonUpstream.gunicorn("wsgi_app.py", 8, "--keep-alive", "1");
    router =
        new Router(
            RouterConfig.defaults("127.0.0.1", 0)
                .withIoThreads(1)
                .withUpstreamIdleTimeout(Duration.ofSeconds(5))
                .withRequestBuffering(64 * 1024),
            AccessLog.none());
    address = router.start();
    router.publish(
        RoutingSnapshot.single(List.of(new Upstream("g", "127.0.0.1", gunicorn.port(), 0))));
  }

  @AfterAll
  static void stop() throws Exception {
    if (router != null) {
      router.close();
    }
    if (gunicorn != null) {
      gunicorn.close();
    }
  }

  @Test
  void postsOnConnectionsTheInstanceIsClosingAllSucceed() throws Exception {
    Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
    String body = "x".repeat(200);
    String post =
        "POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
    try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int round = 0; round * CLIENTS < REQUESTS; round++) {
        // a burst of POSTs, each on a pooled connection gunicorn is about to close: its
        // keep-alive (1 s) runs out for the whole burst's connections at about the same time
        List<Future<Integer>> burst = new ArrayList<>();
        for (int c = 0; c < Math.min(CLIENTS, REQUESTS - round * CLIENTS); c++) {
          burst.add(
              clients.submit(
                  () -> {
                    try (RawHttp http = new RawHttp(address)) {
                      http.timeout(10_000);
                      return http.send(post).read().status();
                    }
                  }));
        }
        for (Future<Integer> f : burst) {
          statuses
              .computeIfAbsent(f.get(20, TimeUnit.SECONDS), s -> new AtomicInteger())
              .incrementAndGet();
        }
        Thread.sleep(ThreadLocalRandom.current().nextLong(980, 1080));
      }
    }
    System.out.println(
        "stale pooled connections: statuses "
            + statuses
            + ", retries "
            + router.metrics().retries()
            + ", resends "
            + router.metrics().resends());
    assertThat(statuses.keySet()).containsOnly(200);
    assertThat(statuses.get(200).get()).isEqualTo(REQUESTS);
  }
}
