package dev.pylon.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A WebSocket is a request, as on Cloud Run: while it is open it holds a slot of its instance's
 * concurrency, counts as in flight, and it is closed when the request timeout runs out or the
 * router drains. A real uvicorn serves both plain HTTP and WebSockets behind the router.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WebSocketRequestTest {
  private static final String INSTANCE = "ws";
  private static PythonUpstream uvicorn;
  private static HttpClient http;
  private static final ExecutorService CLIENTS = Executors.newVirtualThreadPerTaskExecutor();
  private Router router;
  private InetSocketAddress address;

  @BeforeAll
  static void startUvicorn() throws Exception {
    uvicorn = PythonUpstream.uvicorn("ws_app.py");
    http = HttpClient.newHttpClient();
  }

  @AfterAll
  static void stopUvicorn() throws Exception {
    if (http != null) {
      http.close();
    }
    if (uvicorn != null) {
      uvicorn.close();
    }
  }

  @AfterEach
  void stopRouter() {
    if (router != null) {
      router.close();
    }
  }

  /** A router in front of the one uvicorn, which may hold {@code concurrency} requests. */
  private void start(RouterConfig config, int concurrency) {
    router = new Router(config.withIoThreads(1), AccessLog.none());
    address = router.start();
    router.publish(
        RoutingSnapshot.single(
            List.of(new Upstream(INSTANCE, "127.0.0.1", uvicorn.port(), concurrency))));
  }

  /**
   * An open WebSocket through the router and what it received; {@code ended} completes on close.
   */
  private record Socket(
      WebSocket ws, LinkedBlockingQueue<String> received, CompletableFuture<String> ended) {
    String echo(String text) throws Exception {
      ws.sendText(text, true).get(5, TimeUnit.SECONDS);
      return received.poll(5, TimeUnit.SECONDS);
    }
  }

  private Socket openWebSocket() throws Exception {
    LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
    CompletableFuture<String> ended = new CompletableFuture<>();
    WebSocket ws =
        http.newWebSocketBuilder()
            .buildAsync(
                URI.create("ws://127.0.0.1:" + address.getPort() + "/socket"),
                new WebSocket.Listener() {
                  @Override
                  public CompletionStage<?> onText(
                      WebSocket socket, CharSequence data, boolean last) {
                    received.add(data.toString());
                    socket.request(1);
                    return null;
                  }

                  @Override
                  public CompletionStage<?> onClose(WebSocket socket, int code, String reason) {
                    ended.complete("closed " + code);
                    return null;
                  }

                  @Override
                  public void onError(WebSocket socket, Throwable error) {
                    ended.complete("cut: " + error);
                  }
                })
            .get(5, TimeUnit.SECONDS);
    return new Socket(ws, received, ended);
  }

  private CompletableFuture<RawHttp.Response> get(String path) {
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

  private static void await(BooleanSupplier condition) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not reached in 5 s");
      }
      Thread.sleep(5);
    }
  }

  @Test
  void anOpenWebSocketHoldsTheInstancesSlotUntilItCloses() throws Exception {
    start(RouterConfig.defaults("127.0.0.1", 0).withQueue(10, Duration.ofMillis(700)), 1);
    Socket socket = openWebSocket();
    assertThat(socket.echo("hi")).isEqualTo("echo: hi");
    assertThat(router.inFlight(INSTANCE)).isEqualTo(1);
    assertThat(router.inFlight()).isEqualTo(1);
    assertThat(router.metrics().openWebSockets()).isEqualTo(1);
    assertThat(router.connections()).isEqualTo(1);
    assertThat(router.metrics().prometheusText(router.inFlight()))
        .contains("pylon_router_websockets_open 1")
        .contains("pylon_router_websockets_total 1");

    // concurrency 1 is taken by the socket: a plain request waits, then gets 503
    RawHttp.Response timedOut = get("/hello").get(5, TimeUnit.SECONDS);
    assertThat(timedOut.status()).isEqualTo(503);
    assertThat(timedOut.headers()).containsKey("retry-after");

    // one that waits while the socket closes gets the slot
    CompletableFuture<RawHttp.Response> waiting = get("/hello");
    await(() -> router.queued(RoutingSnapshot.DEFAULT_BACKEND) == 1);
    socket.ws().sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
    RawHttp.Response served = waiting.get(5, TimeUnit.SECONDS);
    assertThat(served.status()).isEqualTo(200);
    assertThat(served.body()).isEqualTo("hello");
    await(() -> router.inFlight() == 0);
    assertThat(router.inFlight(INSTANCE)).isZero();
    assertThat(router.metrics().openWebSockets()).isZero();
    assertThat(router.metrics().responses(1)).isEqualTo(1); // the socket, logged once it closed
    await(() -> router.connections() == 0);
  }

  @Test
  void theRequestTimeoutClosesAnOpenWebSocket() throws Exception {
    start(RouterConfig.defaults("127.0.0.1", 0).withRequestTimeout(Duration.ofMillis(800)), 0);
    Socket socket = openWebSocket();
    assertThat(socket.echo("still there?")).isEqualTo("echo: still there?");
    String ending = socket.ended().get(10, TimeUnit.SECONDS);
    assertThat(ending).isNotNull();
    await(() -> router.inFlight() == 0);
    assertThat(router.inFlight(INSTANCE)).isZero();
    assertThat(router.metrics().openWebSockets()).isZero();
    assertThat(router.metrics().prometheusText(0))
        .contains("pylon_router_request_timeouts_total 1");
  }

  @Test
  void drainClosesWebSocketsOnceTheOtherRequestsAreDone() throws Exception {
    start(RouterConfig.defaults("127.0.0.1", 0), 0);
    Socket socket = openWebSocket();
    assertThat(socket.echo("a")).isEqualTo("echo: a");
    assertThat(router.drain(Duration.ofSeconds(5))).isTrue();
    assertThat(socket.ended().get(5, TimeUnit.SECONDS)).isNotNull();
    assertThat(router.inFlight()).isZero();
    assertThat(router.inFlight(INSTANCE)).isZero();
    await(() -> router.connections() == 0);
  }
}
