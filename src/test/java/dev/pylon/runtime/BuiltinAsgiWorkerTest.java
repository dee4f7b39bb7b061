package dev.pylon.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Pylon's built-in ASGI worker run by Debian's python3 (which has FastAPI and Starlette) on real
 * apps, spoken to over real HTTP and WebSockets.
 */
class BuiltinAsgiWorkerTest {
  private static final String DEBIAN_PYTHON = "/usr/bin/python3";
  private final ObjectMapper json = new ObjectMapper();

  @TempDir Path dir;

  private RunningWorker start(String resource, String app) throws Exception {
    try (InputStream in = getClass().getResourceAsStream("/runtime/" + resource)) {
      Files.write(dir.resolve(resource), in.readAllBytes());
    }
    return RunningWorker.startAsgi(dir, app, DEBIAN_PYTHON, "--loop", loop());
  }

  /** The event loop every test here runs on; a subclass runs them all again on another. */
  String loop() {
    return "auto";
  }

  private List<String> events() throws IOException {
    Path file = dir.resolve("events.txt");
    return Files.exists(file) ? Files.readAllLines(file) : List.of();
  }

  @Test
  void servesFastApiAfterItsStartupAndRunsShutdownAfterTheLastRequest() throws Exception {
    try (RunningWorker worker = start("asgi_test_app.py", "asgi_test_app:app").awaitListening();
        HttpClient http = HttpClient.newHttpClient()) {
      worker.awaitStderr("(ASGI, ");
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(uri(worker, "/")).build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(response.statusCode()).isEqualTo(200);
      JsonNode body = json.readTree(response.body());
      assertThat(body.get("hello").asText()).isEqualTo("asgi");
      assertThat(body.get("scheme").asText()).isEqualTo("http");
      assertThat(response.headers().firstValue("content-length"))
          .hasValue(Integer.toString(response.body().length()));

      worker.terminate();
      assertThat(worker.awaitExit()).isZero();
      assertThat(events()).containsExactly("startup", "request", "shutdown");
    }
  }

  @Test
  void takesTheSchemeAndClientFromTheRouterOnLoopback() throws Exception {
    try (RunningWorker worker = start("asgi_test_app.py", "asgi_test_app:app").awaitListening();
        HttpClient http = HttpClient.newHttpClient()) {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(uri(worker, "/"))
                  .header("X-Forwarded-Proto", "https")
                  .header("X-Forwarded-For", "203.0.113.7")
                  .build(),
              HttpResponse.BodyHandlers.ofString());

      JsonNode body = json.readTree(response.body());
      assertThat(body.get("scheme").asText()).isEqualTo("https");
      assertThat(body.get("client").asText()).isEqualTo("203.0.113.7");
    }
  }

  @Test
  void readsLengthDelimitedAndChunkedBodiesWholeOnOneKeptAliveConnection() throws Exception {
    try (RunningWorker worker = start("asgi_test_app.py", "asgi_test_app:app").awaitListening();
        Socket socket = new Socket("127.0.0.1", worker.port)) {
      byte[] big = new byte[3 * 1024 * 1024];
      String head =
          "POST /length HTTP/1.1\r\nHost: t\r\nContent-Length: " + big.length + "\r\n\r\n";
      socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().write(big);
      String chunked =
          "POST /length HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
              + "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: dropped\r\n\r\n";
      socket.getOutputStream().write(chunked.getBytes(StandardCharsets.US_ASCII));
      socket.setSoTimeout(20_000);

      String replies = readUntil(socket.getInputStream(), "{\"length\":11}");
      assertThat(replies).contains("{\"length\":" + big.length + "}");
      assertThat(replies).contains("{\"length\":11}");
      assertThat(replies).doesNotContain("connection: close");
    }
  }

  @Test
  void streamsAResponseWhileTheAppStillHoldsIt() throws Exception {
    try (RunningWorker worker = start("asgi_test_app.py", "asgi_test_app:app").awaitListening();
        Socket socket = new Socket("127.0.0.1", worker.port);
        HttpClient http = HttpClient.newHttpClient()) {
      socket.setSoTimeout(20_000);
      socket
          .getOutputStream()
          .write("GET /stream HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));

      String first = readUntil(socket.getInputStream(), "first\n");
      assertThat(first).contains("transfer-encoding: chunked");
      assertThat(first).doesNotContain("second");

      http.send(
          HttpRequest.newBuilder(uri(worker, "/release")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(readUntil(socket.getInputStream(), "0\r\n\r\n")).contains("second\n");
    }
  }

  @Test
  void echoesOverAWebSocketAndClosesWithTheAppsCode() throws Exception {
    try (RunningWorker worker = start("asgi_test_app.py", "asgi_test_app:app").awaitListening()) {
      HttpClient http = HttpClient.newHttpClient();
      LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
      CompletableFuture<Integer> closed = new CompletableFuture<>();
      StringBuilder message = new StringBuilder();
      WebSocket socket =
          http.newWebSocketBuilder()
              .buildAsync(
                  URI.create("ws://127.0.0.1:" + worker.port + "/ws"),
                  new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(
                        WebSocket ws, CharSequence data, boolean last) {
                      message.append(data);
                      if (last) {
                        received.add(message.toString());
                        message.setLength(0);
                      }
                      ws.request(1);
                      return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
                      closed.complete(code);
                      return null;
                    }
                  })
              .get(10, TimeUnit.SECONDS);
      try {
        socket.sendText("one", true).get(5, TimeUnit.SECONDS);
        assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("echo: one");
        socket.sendText("x".repeat(70_000), true).get(5, TimeUnit.SECONDS);
        assertThat(received.poll(10, TimeUnit.SECONDS)).hasSize(70_006);
        socket.sendText("bye", true).get(5, TimeUnit.SECONDS);
        assertThat(closed.get(10, TimeUnit.SECONDS)).isEqualTo(1000);
      } finally {
        socket.abort();
        http.shutdownNow();
      }
    }
  }

  @Test
  void finishesAnInFlightRequestAfterSigterm() throws Exception {
    try (RunningWorker worker = start("asgi_test_app.py", "asgi_test_app:app").awaitListening();
        HttpClient http = HttpClient.newHttpClient()) {
      CompletableFuture<HttpResponse<String>> slow =
          http.sendAsync(
              HttpRequest.newBuilder(uri(worker, "/slow")).build(),
              HttpResponse.BodyHandlers.ofString());
      awaitEvent("slow-start");

      worker.terminate();

      HttpResponse<String> response = slow.get(20, TimeUnit.SECONDS);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("slow done");
      assertThat(worker.awaitExit()).isZero();
      assertThat(events()).endsWith("shutdown");
    }
  }

  @Test
  void anAppWhoseStartupFailsIsNeverBoundAndSaysWhy() throws Exception {
    try (RunningWorker worker = start("asgi_failing_startup.py", "asgi_failing_startup:app")) {
      assertThat(worker.awaitExit()).isEqualTo(BuiltinWorker.EXIT_STARTUP_FAILED);
      assertThat(worker.stderr())
          .contains("the app's startup failed, so it is not served")
          .contains("the database is unreachable");
      assertThat(worker.stderr()).doesNotContain("serving ");
    }
  }

  @Test
  void servesAnAppThatKnowsNoLifespan() throws Exception {
    try (RunningWorker worker =
            start("asgi_no_lifespan.py", "asgi_no_lifespan:app").awaitListening();
        HttpClient http = HttpClient.newHttpClient()) {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(uri(worker, "/")).build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(response.body()).isEqualTo("bare asgi");
      assertThat(worker.stderr()).contains("does not support ASGI lifespan");
    }
  }

  @Test
  void refusesAMalformedRequestWith400AndCloses() throws Exception {
    try (RunningWorker worker =
            start("asgi_no_lifespan.py", "asgi_no_lifespan:app").awaitListening();
        Socket socket = new Socket("127.0.0.1", worker.port)) {
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write(
              "GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"
                  .getBytes(StandardCharsets.US_ASCII));

      String reply = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(reply).startsWith("HTTP/1.1 400 ").contains("connection: close");
    }
  }

  @Test
  void givesTheAppEveryHeaderLowerCasedWithItsValueTrimmed() throws Exception {
    try (RunningWorker worker = start("asgi_test_app.py", "asgi_test_app:app").awaitListening();
        Socket socket = new Socket("127.0.0.1", worker.port)) {
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write(
              ("GET /headers HTTP/1.1\r\nHost: t\r\nX-Spaced:   a  b \t\r\nX-Empty:\r\n"
                      + "x-repeated: 1\r\nX-Repeated: 2\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));

      String reply = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(reply).startsWith("HTTP/1.1 200 ");
      JsonNode headers = json.readTree(reply.substring(reply.indexOf("\r\n\r\n") + 4));
      assertThat(headers.get("headers").toString())
          .isEqualTo(
              "[[\"host\",\"t\"],[\"x-spaced\",\"a  b\"],[\"x-empty\",\"\"],"
                  + "[\"x-repeated\",\"1\"],[\"x-repeated\",\"2\"],[\"connection\",\"close\"]]");
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Bad Name: v",
        "Name : v",
        " folded-continuation",
        "NoColonAtAll",
        "Quote\"d: v",
        ": no name",
      })
  void refusesAMalformedHeaderLineWith400(String line) throws Exception {
    try (RunningWorker worker =
            start("asgi_no_lifespan.py", "asgi_no_lifespan:app").awaitListening();
        Socket socket = new Socket("127.0.0.1", worker.port)) {
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write(
              ("GET / HTTP/1.1\r\nHost: t\r\n" + line + "\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));

      String reply = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(reply).startsWith("HTTP/1.1 400 ").contains("malformed header line");
    }
  }

  private void awaitEvent(String event) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!events().contains(event)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the app never recorded " + event + ": " + events());
      }
      Thread.sleep(20);
    }
  }

  private static URI uri(RunningWorker worker, String path) {
    return URI.create("http://127.0.0.1:" + worker.port + path);
  }

  /** What the socket says until {@code marker} has arrived. */
  private static String readUntil(InputStream in, String marker) throws IOException {
    StringBuilder seen = new StringBuilder();
    byte[] buffer = new byte[8192];
    while (seen.indexOf(marker) < 0) {
      int n = in.read(buffer);
      if (n < 0) {
        break;
      }
      seen.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
    }
    return seen.toString();
  }
}
