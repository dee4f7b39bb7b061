package dev.pylon.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A real WebSocket client talks through the router to a real Python WebSocket server. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WebSocketPassThroughTest {
  private static final Path PYTHON = Path.of("/usr/bin/python3");
  private Process server;
  private Path dir;
  private Router router;

  @AfterEach
  void stop() throws Exception {
    if (router != null) {
      router.close();
    }
    if (server != null) {
      server.destroy();
      server.waitFor(5, TimeUnit.SECONDS);
    }
    if (dir != null) {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  void messagesFlowBothWaysThroughTheRouter() throws Exception {
    assumeTrue(Files.isExecutable(PYTHON), "Debian python3 with websockets is not installed");
    dir = Files.createTempDirectory("pylon-router-ws");
    try (InputStream script = getClass().getResourceAsStream("/router/ws_echo.py")) {
      Files.copy(script, dir.resolve("ws_echo.py"));
    }
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    server =
        new ProcessBuilder(PYTHON.toString(), dir.resolve("ws_echo.py").toString(), "" + port)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("ws.log").toFile())
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!accepts(port)) {
      assumeTrue(server.isAlive(), "websockets server did not start");
      assertThat(System.nanoTime()).isLessThan(deadline);
      Thread.sleep(50);
    }
    router = new Router(RouterConfig.defaults("127.0.0.1", 0).withIoThreads(1), AccessLog.none());
    InetSocketAddress address = router.start();
    router.publish(RoutingSnapshot.single(List.of(new Upstream("ws", "127.0.0.1", port, 0))));

    LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
    try (HttpClient http = HttpClient.newHttpClient()) {
      WebSocket ws =
          http.newWebSocketBuilder()
              .buildAsync(
                  URI.create("ws://127.0.0.1:" + address.getPort() + "/chat"),
                  new WebSocket.Listener() {
                    private final StringBuilder parts = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(
                        WebSocket socket, CharSequence data, boolean last) {
                      parts.append(data);
                      if (last) {
                        received.add(parts.toString());
                        parts.setLength(0);
                      }
                      socket.request(1);
                      return CompletableFuture.completedFuture(null);
                    }
                  })
              .get(5, TimeUnit.SECONDS);
      ws.sendText("hello", true).get(5, TimeUnit.SECONDS);
      assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo("echo: hello");
      try {
        String big = "x".repeat(100_000);
        ws.sendText(big, true).get(5, TimeUnit.SECONDS);
        String echoed = received.poll(5, TimeUnit.SECONDS);
        assertThat(echoed).isNotNull();
        assertThat(echoed.equals("echo: " + big)).as("100 kB message echoed intact").isTrue();
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
      } finally {
        ws.abort();
      }
    }
    // the socket was one request in flight until it closed
    long closedBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (router.inFlight() != 0 && System.nanoTime() < closedBy) {
      Thread.sleep(5);
    }
    assertThat(router.inFlight()).isZero();
    assertThat(router.metrics().webSocketsOpened()).isEqualTo(1);
  }

  private static boolean accepts(int port) {
    try {
      new Socket("127.0.0.1", port).close();
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
