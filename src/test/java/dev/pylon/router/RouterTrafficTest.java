package dev.pylon.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Balancing, concurrency caps, the waiting queue and draining, over real sockets. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RouterTrafficTest {
  private static final java.util.concurrent.ExecutorService CLIENTS =
      java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
  private Router router;
  private final List<TestUpstream> apps = new ArrayList<>();

  private TestUpstream app(String name) throws Exception {
    TestUpstream a = new TestUpstream(name);
    apps.add(a);
    return a;
  }

  private InetSocketAddress start(RouterConfig config, List<Upstream> upstreams) {
    router = new Router(config.withIoThreads(2), AccessLog.none());
    InetSocketAddress address = router.start();
    router.publish(RoutingSnapshot.single(upstreams));
    return address;
  }

  @AfterEach
  void stop() {
    if (router != null) {
      router.close();
    }
    apps.forEach(TestUpstream::close);
  }

  private static CompletableFuture<RawHttp.Response> get(InetSocketAddress address, String path) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (RawHttp c = new RawHttp(address)) {
            c.timeout(10_000);
            return c.send("GET " + path + " HTTP/1.1\r\nHost: h\r\n\r\n").read();
          } catch (Exception e) {
            throw new RuntimeException(e);
          }
        },
        CLIENTS);
  }

  private static void await(java.util.function.BooleanSupplier condition) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not reached in 5 s");
      }
      Thread.sleep(5);
    }
  }

  @Test
  void sendsNewRequestsToTheLeastBusyInstance() throws Exception {
    TestUpstream a = app("a");
    TestUpstream b = app("b");
    InetSocketAddress address =
        start(RouterConfig.defaults("127.0.0.1", 0), List.of(a.upstream(0), b.upstream(0)));
    // three held requests spread 2/1 or 1/2; then every further request goes where fewer wait
    List<CompletableFuture<RawHttp.Response>> held = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      held.add(get(address, "/hold"));
      int expected = i + 1;
      await(() -> a.active.get() + b.active.get() == expected);
    }
    assertThat(Math.abs(a.active.get() - b.active.get())).isEqualTo(1);
    TestUpstream lessBusy = a.active.get() < b.active.get() ? a : b;
    held.add(get(address, "/hold"));
    await(() -> a.active.get() + b.active.get() == 4);
    assertThat(a.active.get()).isEqualTo(2);
    assertThat(b.active.get()).isEqualTo(2);
    assertThat(lessBusy.requests.get()).isEqualTo(2);
    a.releaseHeld();
    b.releaseHeld();
    for (var f : held) {
      assertThat(f.get(5, TimeUnit.SECONDS).status()).isEqualTo(200);
    }
    await(() -> router.inFlight() == 0);
  }

  @Test
  void requestsBeyondTheCapWaitInTheQueue() throws Exception {
    TestUpstream a = app("a");
    InetSocketAddress address =
        start(RouterConfig.defaults("127.0.0.1", 0), List.of(a.upstream(1)));
    var first = get(address, "/hold");
    await(() -> a.active.get() == 1);
    var second = get(address, "/echo");
    await(() -> router.inFlight() == 2);
    Thread.sleep(100);
    assertThat(a.requests.get()).isEqualTo(1); // the cap holds: the second one waits
    assertThat(router.queued(RoutingSnapshot.DEFAULT_BACKEND)).isEqualTo(1);
    assertThat(router.inFlight("a")).isEqualTo(1);
    a.releaseHeld();
    assertThat(first.get(5, TimeUnit.SECONDS).status()).isEqualTo(200);
    assertThat(second.get(5, TimeUnit.SECONDS).status()).isEqualTo(200);
  }

  @Test
  void fullQueueAndQueueTimeoutGive503WithRetryAfter() throws Exception {
    TestUpstream a = app("a");
    InetSocketAddress address =
        start(
            RouterConfig.defaults("127.0.0.1", 0).withQueue(1, Duration.ofMillis(400)),
            List.of(a.upstream(1)));
    var busy = get(address, "/hold");
    await(() -> a.active.get() == 1);
    var queued = get(address, "/echo");
    await(() -> router.inFlight() == 2);
    RawHttp.Response rejected = get(address, "/echo").get(5, TimeUnit.SECONDS);
    assertThat(rejected.status()).isEqualTo(503);
    assertThat(rejected.headers()).containsKey("retry-after");
    assertThat(rejected.body()).contains("queue is full");
    RawHttp.Response timedOut = queued.get(5, TimeUnit.SECONDS);
    assertThat(timedOut.status()).isEqualTo(503);
    assertThat(timedOut.headers()).containsKey("retry-after");
    a.releaseHeld();
    assertThat(busy.get(5, TimeUnit.SECONDS).status()).isEqualTo(200);
  }

  @Test
  void queuedRequestsGoToAnInstanceThatBecomesReady() throws Exception {
    TestUpstream a = app("a");
    TestUpstream b = app("b");
    InetSocketAddress address =
        start(RouterConfig.defaults("127.0.0.1", 0), List.of(a.upstream(1)));
    var busy = get(address, "/hold");
    await(() -> a.active.get() == 1);
    var queued = get(address, "/echo");
    await(() -> router.inFlight() == 2);
    router.publish(RoutingSnapshot.single(List.of(a.upstream(1), b.upstream(1))));
    RawHttp.Response r = queued.get(5, TimeUnit.SECONDS);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).contains("upstream: b");
    a.releaseHeld();
    busy.get(5, TimeUnit.SECONDS);
  }

  @Test
  void drainLetsInFlightRequestsFinishAndRefusesNewConnections() throws Exception {
    TestUpstream a = app("a");
    InetSocketAddress address =
        start(RouterConfig.defaults("127.0.0.1", 0), List.of(a.upstream(0)));
    RawHttp idle = new RawHttp(address);
    var inFlight = get(address, "/slow?ms=400");
    await(() -> a.active.get() == 1);
    long t0 = System.nanoTime();
    boolean drained = router.drain(Duration.ofSeconds(5));
    assertThat(drained).isTrue();
    assertThat(System.nanoTime() - t0).isGreaterThan(TimeUnit.MILLISECONDS.toNanos(100));
    RawHttp.Response r = inFlight.get(5, TimeUnit.SECONDS);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.headers()).containsEntry("connection", "close");
    assertThat(idle.closedByPeer()).isTrue();
    idle.close();
    boolean refused;
    try (RawHttp late = new RawHttp(address)) {
      late.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
      refused = late.closedByPeer();
    } catch (java.io.IOException e) {
      refused = true;
    }
    assertThat(refused).isTrue();
  }

  @Test
  void aHandOverDrainAnswersAConnectionWhoseFirstRequestArrivesDuringIt() throws Exception {
    TestUpstream a = app("a");
    InetSocketAddress address =
        start(RouterConfig.defaults("127.0.0.1", 0), List.of(a.upstream(0)));
    // Accepted, but its first bytes not yet sent: wrk's reconnect after a Connection: close.
    try (RawHttp fresh = new RawHttp(address)) {
      fresh.timeout(10_000);
      await(() -> router.connections() == 1);
      var draining =
          CompletableFuture.supplyAsync(
              () -> router.drain(Duration.ofSeconds(10), Duration.ofSeconds(2)), CLIENTS);
      Thread.sleep(200);

      RawHttp.Response r = fresh.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n").read();

      assertThat(r.status()).isEqualTo(200);
      assertThat(r.headers()).containsEntry("connection", "close");
      assertThat(draining.get(10, TimeUnit.SECONDS)).isTrue();
      assertThat(fresh.closedByPeer()).isTrue();
    }
  }

  @Test
  void aHandOverDrainClosesAConnectionThatNeverSendsOnceItsLingerIsOver() throws Exception {
    TestUpstream a = app("a");
    InetSocketAddress address =
        start(RouterConfig.defaults("127.0.0.1", 0), List.of(a.upstream(0)));
    try (RawHttp silent = new RawHttp(address)) {
      silent.timeout(10_000);
      await(() -> router.connections() == 1);

      assertThat(router.drain(Duration.ofSeconds(5), Duration.ofMillis(200))).isTrue();

      assertThat(silent.closedByPeer()).isTrue();
    }
  }
}
