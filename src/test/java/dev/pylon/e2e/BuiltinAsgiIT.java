package dev.pylon.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./pylon run} on a FastAPI app whose dependencies name no ASGI server: Pylon's built-in
 * ASGI worker serves it, HTTP and WebSockets through the router, and stops with it.
 */
class BuiltinAsgiIT {
  private final Http http = new Http();
  @TempDir Path state;

  @Test
  void aFastApiAppWithoutUvicornIsServedByTheBuiltInAsgiWorker() throws Exception {
    String app =
        PylonProcess.sourceRoot().resolve("src/test/resources/e2e/fastapi-no-server").toString();
    int port = Http.freePort();
    // Debian's fastapi declares a starlette older than the one Debian ships (which works).
    try (PylonProcess pylon =
        PylonProcess.serving(
            Map.of("PIP_NO_INDEX", "1", "PIP_NO_DEPS", "1"),
            state,
            port,
            app,
            "--python",
            "/usr/bin/python3",
            "--system-site-packages")) {
      assertThat(pylon.output()).contains("built-in ASGI worker");
      HttpResponse<String> response = http.get(port, "/");
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body())
          .contains("fastapi without uvicorn")
          .contains("\"startup ran\":true");

      assertThat(echoThroughTheRouter(port)).isEqualTo("echo: through the router");

      List<ProcessHandle> started = pylon.descendants();
      pylon.signal("TERM");
      pylon.awaitExit(Duration.ofSeconds(30));
      assertThat(started).as("processes left after SIGTERM").noneMatch(ProcessHandle::isAlive);
    }
  }

  private static String echoThroughTheRouter(int port) throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    CompletableFuture<String> reply = new CompletableFuture<>();
    WebSocket socket =
        client
            .newWebSocketBuilder()
            .buildAsync(
                URI.create("ws://127.0.0.1:" + port + "/ws"),
                new WebSocket.Listener() {
                  @Override
                  public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                    reply.complete(data.toString());
                    return null;
                  }
                })
            .get(20, TimeUnit.SECONDS);
    try {
      socket.sendText("through the router", true).get(10, TimeUnit.SECONDS);
      return reply.get(20, TimeUnit.SECONDS);
    } finally {
      socket.abort();
      client.shutdownNow();
    }
  }
}
