package dev.pylon.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The built-in worker run by the real python3, spoken to over real HTTP. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BuiltinWorkerTest {
  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private RunningWorker worker;

  @BeforeAll
  void startWorker(@TempDir Path dir) throws Exception {
    worker = RunningWorker.start(RunningWorker.appDir(dir), "worker_test_app:app").awaitListening();
  }

  @AfterAll
  void stopWorker() throws Exception {
    worker.close();
    http.close();
  }

  private HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + worker.port + path);
  }

  @Test
  void logsOneStartupLine() throws Exception {
    worker.awaitStderr(
        "pylon-worker: serving worker_test_app:app on 127.0.0.1:"
            + worker.port
            + " with 4 threads");
  }

  @Test
  void environHasEveryPep3333Key() throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(uri("/caf%C3%A9%2Fx?q=a%20b&r=1"))
            .header("X-Multi", "one")
            .header("X-Multi", "two")
            .header("Content-Type", "text/plain")
            .POST(HttpRequest.BodyPublishers.ofString("12345"))
            .build();
    JsonNode environ =
        json.readTree(http.send(request, HttpResponse.BodyHandlers.ofString()).body());

    assertThat(environ.get("REQUEST_METHOD").asText()).isEqualTo("POST");
    assertThat(environ.get("SCRIPT_NAME").asText()).isEmpty();
    // PEP 3333: percent-decoded bytes, carried as a latin-1 str ("é" is two bytes in UTF-8).
    assertThat(environ.get("PATH_INFO").asText()).isEqualTo("/caf\u00c3\u00a9/x");
    assertThat(environ.get("QUERY_STRING").asText()).isEqualTo("q=a%20b&r=1");
    assertThat(environ.get("CONTENT_TYPE").asText()).isEqualTo("text/plain");
    assertThat(environ.get("CONTENT_LENGTH").asText()).isEqualTo("5");
    assertThat(environ.has("HTTP_CONTENT_TYPE")).isFalse();
    assertThat(environ.get("SERVER_NAME").asText()).isEqualTo("127.0.0.1");
    assertThat(environ.get("SERVER_PORT").asText()).isEqualTo(Integer.toString(worker.port));
    assertThat(environ.get("SERVER_PROTOCOL").asText()).isEqualTo("HTTP/1.1");
    assertThat(environ.get("HTTP_X_MULTI").asText()).isEqualTo("one,two");
    assertThat(environ.get("HTTP_HOST").asText()).isEqualTo("127.0.0.1:" + worker.port);
    assertThat(environ.get("REMOTE_ADDR").asText()).isEqualTo("127.0.0.1");
    assertThat(environ.get("wsgi.version").toString()).isEqualTo("[1,0]");
    assertThat(environ.get("wsgi.url_scheme").asText()).isEqualTo("http");
    assertThat(environ.get("wsgi.multithread").asBoolean()).isTrue();
    assertThat(environ.get("wsgi.multiprocess").asBoolean()).isFalse();
    assertThat(environ.get("wsgi.run_once").asBoolean()).isFalse();
    assertThat(environ.get("wsgi.errors.is_stderr").asBoolean()).isTrue();
    assertThat(environ.get("has_file_wrapper").asBoolean()).isTrue();
  }

  @Test
  void forwardedProtoFromLoopbackMakesTheSchemeHttps() throws Exception {
    JsonNode environ = json.readTree(get("/environ", "X-Forwarded-Proto", "https").body());
    assertThat(environ.get("wsgi.url_scheme").asText()).isEqualTo("https");
  }

  @Test
  void headersWithUnderscoresAreDropped() throws Exception {
    try (RawHttp conn = new RawHttp(worker.port)) {
      conn.send("GET /environ HTTP/1.1\r\nHost: x\r\nX_Spoof: 1\r\nX-Real: 2\r\n\r\n");
      JsonNode environ = json.readTree(conn.read().body());
      assertThat(environ.has("HTTP_X_SPOOF")).isFalse();
      assertThat(environ.get("HTTP_X_REAL").asText()).isEqualTo("2");
      assertThat(environ.get("SERVER_NAME").asText()).isEqualTo("x");
      assertThat(environ.get("SERVER_PORT").asText()).isEqualTo("80");
    }
  }

  @Test
  void inputIsStreamedAndNeverReadPastTheBody() throws Exception {
    try (RawHttp conn = new RawHttp(worker.port)) {
      String body = "first\nabcdef\nline2\nline3\ntail";
      conn.send(
          "POST /input HTTP/1.1\r\nHost: x\r\nContent-Length: "
              + body.length()
              + "\r\n\r\nfirst\n");
      // The app has its first line while the rest of the body is still on the client's side.
      worker.awaitStderr("input-route got first line b'first\\n'");
      conn.send(body.substring("first\n".length()));
      JsonNode seen = json.readTree(conn.read().body());
      assertThat(seen.get("first").asText()).isEqualTo("first\n");
      assertThat(seen.get("two").asText()).isEqualTo("ab");
      assertThat(seen.get("sized").asText()).isEqualTo("cde");
      assertThat(seen.get("lines").toString())
          .isEqualTo("[\"f\\n\",\"line2\\n\",\"line3\\n\",\"tail\"]");
      assertThat(seen.get("rest").asText()).isEmpty();

      // The connection is still in step: the next request is read from the right place.
      conn.send("GET /closed-count HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(conn.read().status()).isEqualTo(200);
    }
  }

  @Test
  void chunkedRequestsAndPipelinedRequestsShareOneConnection() throws Exception {
    try (RawHttp conn = new RawHttp(worker.port)) {
      conn.send(
          "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
              + "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n"
              + "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
              + "POST /iterate HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
              + "4\r\na\nb\n\r\n2\r\nc\n\r\n0\r\n\r\n");
      RawHttp.Response first = conn.read();
      assertThat(first.body()).isEqualTo("12:hello, world");
      assertThat(first.chunked()).isTrue();
      assertThat(conn.read().body()).isEqualTo("3:abc");
      assertThat(conn.read().body()).isEqualTo("[\"a\\n\", \"b\\n\", \"c\\n\"]");
    }
  }

  @Test
  void unreadBodyIsSkippedSoKeepAliveContinues() throws Exception {
    try (RawHttp conn = new RawHttp(worker.port)) {
      conn.send("POST /closed-count HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nxxxx");
      assertThat(conn.read().status()).isEqualTo(200);
      conn.send("GET /echo HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(conn.read().body()).isEqualTo("0:");
    }
  }

  @Test
  void writeCallableAndIterableAreBothSentChunked() throws Exception {
    try (RawHttp conn = new RawHttp(worker.port)) {
      conn.send("GET /write HTTP/1.1\r\nHost: x\r\n\r\n");
      RawHttp.Response response = conn.read();
      assertThat(response.chunked()).isTrue();
      assertThat(response.body()).isEqualTo("from-write;from-iterable");
    }
  }

  @Test
  void http10ClientGetsTheBodyEndedByClose() throws Exception {
    try (RawHttp conn = new RawHttp(worker.port)) {
      conn.send("GET /write HTTP/1.0\r\n\r\n");
      String raw = conn.readToEnd();
      assertThat(raw).startsWith("HTTP/1.1 200 OK").contains("Connection: close");
      assertThat(raw).doesNotContainIgnoringCase("transfer-encoding");
      assertThat(raw).endsWith("\r\n\r\nfrom-write;from-iterable");
    }
  }

  @Test
  void headResponsesCarryNoBodyAndKeepTheConnection() throws Exception {
    try (RawHttp conn = new RawHttp(worker.port)) {
      conn.send("HEAD /write HTTP/1.1\r\nHost: x\r\n\r\n");
      RawHttp.Response head = conn.readHead();
      assertThat(head.status()).isEqualTo(200);
      conn.send("GET /echo HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(conn.read().body()).isEqualTo("0:");
    }
  }

  @Test
  void expectContinueIsAnsweredWhenTheAppReadsTheBody() throws Exception {
    try (RawHttp conn = new RawHttp(worker.port)) {
      conn.send(
          "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
      assertThat(conn.read().status()).isEqualTo(100);
      conn.send("body");
      assertThat(conn.read().body()).isEqualTo("4:body");
    }
  }

  @Test
  void expectContinueWithTheBodyUnreadGetsTheAnswerAndAClose() throws Exception {
    try (RawHttp conn = new RawHttp(worker.port)) {
      conn.send(
          "POST /closed-count HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
              + "Content-Length: 4\r\n\r\n");
      RawHttp.Response response = conn.read();
      assertThat(response.status()).isEqualTo(200);
      assertThat(response.headers()).containsEntry("connection", "close");
      assertThat(conn.closedByPeer()).isTrue();
    }
  }

  @Test
  void http10KeepAliveIsHonouredWhenTheLengthIsKnown() throws Exception {
    try (RawHttp conn = new RawHttp(worker.port)) {
      conn.send("GET /environ HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
      RawHttp.Response first = conn.read();
      assertThat(first.headers()).containsEntry("connection", "keep-alive");
      assertThat(json.readTree(first.body()).get("SERVER_PROTOCOL").asText()).isEqualTo("HTTP/1.0");
      conn.send("GET /environ HTTP/1.0\r\n\r\n");
      assertThat(conn.read().status()).isEqualTo(200);
      assertThat(conn.closedByPeer()).isTrue();
    }
  }

  @Test
  void startResponseWithExcInfoReplacesTheStatusBeforeHeadersAreSent() throws Exception {
    HttpResponse<String> response = get("/exc-info");
    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.body()).isEqualTo("replaced");
  }

  @Test
  void startResponseWithExcInfoAfterHeadersAbortsTheResponse() throws Exception {
    try (RawHttp conn = new RawHttp(worker.port)) {
      conn.send("GET /late-error HTTP/1.1\r\nHost: x\r\n\r\n");
      String raw = conn.readToEnd();
      assertThat(raw).startsWith("HTTP/1.1 200 OK").contains("partial");
      assertThat(raw).doesNotContain("0\r\n\r\n").doesNotContain("never");
    }
    worker.awaitStderr("ValueError: too late to change the status");
    assertThat(get("/echo").statusCode()).isEqualTo(200);
  }

  @Test
  void appExceptionIsA500AndTheWorkerKeepsServing() throws Exception {
    HttpResponse<String> response = get("/boom");
    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(response.body()).isEqualTo("Internal Server Error\n");
    worker.awaitStderr("RuntimeError: boom from the app");
    assertThat(worker.stderr()).contains("Traceback (most recent call last)");
    assertThat(get("/echo").body()).isEqualTo("0:");
  }

  @Test
  void closeIsCalledOnTheIterable() throws Exception {
    int before = Integer.parseInt(get("/closed-count").body());
    assertThat(get("/closing").body()).isEqualTo("closing-body");
    assertThat(Integer.parseInt(get("/closed-count").body())).isEqualTo(before + 1);
  }

  @Test
  void badRequestsGetA400AndTheConnectionCloses() throws Exception {
    try (RawHttp conn = new RawHttp(worker.port)) {
      conn.send("GET /echo HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n");
      assertThat(conn.read().status()).isEqualTo(400);
      assertThat(conn.closedByPeer()).isTrue();
    }
  }

  @Test
  void importFailureExitsWithStatus3AndTheTraceback(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("broken.py"), "import no_such_module_anywhere\napp = None\n");
    try (RunningWorker broken = RunningWorker.start(dir, "broken:app")) {
      assertThat(broken.awaitExit()).isEqualTo(BuiltinWorker.EXIT_APP_IMPORT_FAILED);
      assertThat(broken.stderr())
          .contains("Traceback (most recent call last)")
          .contains("ModuleNotFoundError: No module named 'no_such_module_anywhere'")
          .doesNotContain("serving");
    }
  }

  @Test
  void missingAttributeIsAnImportFailureToo(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("noapp.py"), "application = None\n");
    try (RunningWorker broken = RunningWorker.start(dir, "noapp:app")) {
      assertThat(broken.awaitExit()).isEqualTo(BuiltinWorker.EXIT_APP_IMPORT_FAILED);
      assertThat(broken.stderr()).contains("has no attribute 'app'");
    }
  }

  @Test
  void sigtermFinishesTheRequestInFlightThenExitsZero(@TempDir Path dir) throws Exception {
    try (RunningWorker w =
        RunningWorker.start(RunningWorker.appDir(dir), "worker_test_app:app").awaitListening()) {
      CompletableFuture<HttpResponse<String>> slow =
          http.sendAsync(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + w.port + "/slow")).build(),
              HttpResponse.BodyHandlers.ofString());
      w.awaitStderr("slow-route started");
      // SIGTERM through the handle: Process.destroy() would also close our end of its stderr.
      w.process.toHandle().destroy();
      HttpResponse<String> response = slow.get(10, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("slow done");
      assertThat(w.awaitExit()).isZero();
      assertThat(w.stderr()).contains("SIGTERM");
      assertThat(refusesConnections(w.port)).isTrue();
    }
  }

  private static boolean refusesConnections(int port) {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
      return !s.isConnected();
    } catch (IOException refused) {
      return true;
    }
  }

  @Test
  void materializeIsContentAddressedAndIdempotent(@TempDir Path dir) throws Exception {
    Path first = BuiltinWorker.materialize(dir);
    Path second = BuiltinWorker.materialize(dir);
    assertThat(first).isEqualTo(second);
    assertThat(first.getFileName().toString()).matches("pylon_worker-[0-9a-f]{12}\\.py");
    assertThat(Files.readAllBytes(first)).isEqualTo(BuiltinWorker.script());
    try (var files = Files.list(dir)) {
      assertThat(files).hasSize(1);
    }
  }

  /**
   * A zygote's spare rehearses the request path while idle: it must say nothing, run no app code
   * and leave no socket or thread behind for the instance it becomes.
   */
  @Test
  void aRehearsalIsSilentAndLeavesNothingOpen(@TempDir Path dir) throws Exception {
    Path worker = BuiltinWorker.materialize(dir);
    String check =
        "import importlib.util, os, threading, sys\n"
            + "spec = importlib.util.spec_from_file_location('w', sys.argv[1])\n"
            + "w = importlib.util.module_from_spec(spec); spec.loader.exec_module(w)\n"
            + "before = sorted(os.listdir('/proc/self/fd')); threads = threading.active_count()\n"
            + "w.rehearse()\n"
            + "after = sorted(os.listdir('/proc/self/fd'))\n"
            + "print(before == after, threads == threading.active_count())\n";
    Process python =
        new ProcessBuilder("/usr/bin/python3", "-c", check, worker.toString())
            .redirectErrorStream(true)
            .start();
    String said = new String(python.getInputStream().readAllBytes()).strip();
    assertThat(python.waitFor()).isZero();
    assertThat(said).isEqualTo("True True");
  }
}
