package dev.pylon.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A backend scaled to zero holds its requests until an instance is published, or times out. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ActivationTest {
  private static final ExecutorService CLIENTS = Executors.newVirtualThreadPerTaskExecutor();
  private Router router;
  private TestUpstream app;

  @AfterEach
  void stop() {
    if (router != null) {
      router.close();
    }
    if (app != null) {
      app.close();
    }
  }

  private static RoutingSnapshot atZero(boolean activating) {
    return new RoutingSnapshot(
        List.of(
            new Route(
                Route.ANY_HOST, "/", List.of(new Backend("rev", 100, List.of(), activating)))));
  }

  private static CompletableFuture<RawHttp.Response> get(InetSocketAddress address) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (RawHttp c = new RawHttp(address)) {
            c.timeout(10_000);
            return c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n").read();
          } catch (Exception e) {
            throw new RuntimeException(e);
          }
        },
        CLIENTS);
  }

  @Test
  void aRequestForABackendAtZeroWaitsUntilAnInstanceIsPublished() throws Exception {
    app = new TestUpstream("a");
    router = new Router(RouterConfig.defaults("127.0.0.1", 0).withIoThreads(2), AccessLog.none());
    List<String> told = new CopyOnWriteArrayList<>();
    router.onActivation(told::add);
    InetSocketAddress address = router.start();
    router.publish(atZero(true));

    CompletableFuture<RawHttp.Response> held = get(address);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (told.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(told).containsExactly("rev");
    assertThat(router.queued("rev")).isLessThanOrEqualTo(1);
    assertThat(held).isNotDone();

    router.publish(
        new RoutingSnapshot(
            List.of(
                new Route(
                    Route.ANY_HOST,
                    "/",
                    List.of(new Backend("rev", 100, List.of(app.upstream(0))))))));
    assertThat(held.get(5, TimeUnit.SECONDS).status()).isEqualTo(200);
  }

  @Test
  void atZeroWithoutActivationIs503AtOnceAndWithItAfterTheQueueTimeout() throws Exception {
    router =
        new Router(
            RouterConfig.defaults("127.0.0.1", 0)
                .withIoThreads(2)
                .withQueue(10, Duration.ofMillis(300)),
            AccessLog.none());
    InetSocketAddress address = router.start();
    router.publish(atZero(false));
    assertThat(get(address).get(5, TimeUnit.SECONDS).status()).isEqualTo(503);

    router.publish(atZero(true));
    RawHttp.Response timedOut = get(address).get(5, TimeUnit.SECONDS);
    assertThat(timedOut.status()).isEqualTo(503);
    assertThat(timedOut.body()).contains("revision rev could not start an instance within");
    assertThat(timedOut.headers()).containsEntry("retry-after", "5");
    assertThat(router.queued("rev")).isZero();
  }
}
