package dev.pylon.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built-in worker serves fast requests on the thread that polls, so these check what that must
 * not cost: an app that blocks, or a client that stalls, still leaves the other {@code --threads}
 * free to serve (the worker in these tests runs 4).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BuiltinWorkerConcurrencyTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private RunningWorker worker;

  @BeforeAll
  void startWorker(@TempDir Path dir) throws Exception {
    worker = RunningWorker.start(RunningWorker.appDir(dir), "worker_test_app:app").awaitListening();
  }

  @AfterAll
  void stopWorker() {
    worker.close();
    http.close();
  }

  private CompletableFuture<HttpResponse<String>> getAsync(String path) {
    return http.sendAsync(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + worker.port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aRequestBlockedInTheAppDoesNotHoldUpTheNextOne() throws Exception {
    CompletableFuture<HttpResponse<String>> blocked = getAsync("/blocked");
    worker.awaitStderr("blocked-route waiting");
    // Only a second thread can serve this while the first request waits for it.
    assertThat(getAsync("/release").get(30, TimeUnit.SECONDS).body()).isEqualTo("ok");
    assertThat(blocked.get(30, TimeUnit.SECONDS).body()).isEqualTo("released");
  }

  @Test
  void asManyRequestsRunInTheAppAtOnceAsThereAreThreads() throws Exception {
    List<CompletableFuture<HttpResponse<String>>> four = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      four.add(getAsync("/barrier?4"));
    }
    for (CompletableFuture<HttpResponse<String>> each : four) {
      assertThat(each.get(30, TimeUnit.SECONDS).body()).isEqualTo("met");
    }
  }

  @Test
  void aClientThatStopsHalfwayThroughItsHeadDoesNotStallTheOthers() throws Exception {
    try (RawHttp stalled = new RawHttp(worker.port)) {
      stalled.send("GET /closed-count HTTP/1.1\r\nHo");
      for (int i = 0; i < 3; i++) {
        assertThat(getAsync("/echo").get(30, TimeUnit.SECONDS).body()).isEqualTo("0:");
      }
      stalled.send("st: x\r\n\r\n");
      assertThat(stalled.read().status()).isEqualTo(200);
    }
  }
}
