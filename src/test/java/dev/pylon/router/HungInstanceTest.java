package dev.pylon.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An instance that hangs (here: stopped with SIGSTOP, as a deadlock or a debugger would) costs only
 * the requests it held: they get 504 at the request timeout, and the instance leaves the rotation
 * until it answers again, so the requests after them go to the instance that works.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class HungInstanceTest {
  private final List<AccessLogEntry> log = new CopyOnWriteArrayList<>();
  private PythonUpstream hung;
  private PythonUpstream healthy;
  private Router router;

  @AfterEach
  void stop() throws Exception {
    if (hung != null) {
      hung.signal("CONT");
      hung.close();
    }
    if (healthy != null) {
      healthy.close();
    }
    if (router != null) {
      router.close();
    }
  }

  private int get(InetSocketAddress address) throws Exception {
    try (RawHttp c = new RawHttp(address)) {
      c.timeout(15_000);
      return c.send("GET /echo HTTP/1.1\r\nHost: h\r\n\r\n").read().status();
    }
  }

  private long servedBy(PythonUpstream instance, int fromEntry) {
    String address = "127.0.0.1:" + instance.port();
    return log.subList(fromEntry, log.size()).stream()
        .filter(e -> e.upstream().equals(address) && e.status() == 200)
        .count();
  }

  @Test
  void aStoppedInstanceCostsOnlyItsOwnRequestsAndIsLeftOutUntilItAnswersAgain() throws Exception {
    hung = PythonUpstream.gunicorn("wsgi_app.py", 8);
    healthy = PythonUpstream.gunicorn("wsgi_app.py", 8);
    router =
        new Router(
            RouterConfig.defaults("127.0.0.1", 0)
                .withIoThreads(1)
                .withRequestTimeout(Duration.ofSeconds(2)),
            log::add);
    InetSocketAddress address = router.start();
    router.publish(
        RoutingSnapshot.single(
            List.of(
                new Upstream("hung", "127.0.0.1", hung.port(), 0),
                new Upstream("healthy", "127.0.0.1", healthy.port(), 0))));
    for (int i = 0; i < 40 && (servedBy(hung, 0) == 0 || servedBy(healthy, 0) == 0); i++) {
      assertThat(get(address)).isEqualTo(200);
    }
    assertThat(servedBy(hung, 0)).isPositive();

    hung.signal("STOP");
    List<Integer> burst = new ArrayList<>();
    try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<Integer>> sent = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        sent.add(clients.submit(() -> get(address)));
      }
      for (Future<Integer> f : sent) {
        burst.add(f.get());
      }
    }
    // what the stopped instance held got 504; the rest was answered
    assertThat(burst).containsOnly(200, 504).contains(504);

    // left out: every request now goes to the instance that answers, at once
    int mark = log.size();
    for (int i = 0; i < 20; i++) {
      assertThat(get(address)).isEqualTo(200);
    }
    assertThat(servedBy(healthy, mark)).isEqualTo(20);

    // it answers again: after its ejection a trial request finds it answering, and it is back
    hung.signal("CONT");
    mark = log.size();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (servedBy(hung, mark) == 0 && System.nanoTime() < deadline) {
      assertThat(get(address)).isEqualTo(200);
      Thread.sleep(50);
    }
    assertThat(servedBy(hung, mark)).isPositive();
  }
}
