package dev.pylon.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ctrl-C lets the requests in flight finish, then stops every process Pylon started. */
class GracefulStopIT {
  @TempDir Path state;

  @Test
  void aRequestInFlightAtCtrlCStillGetsItsAnswer() throws Exception {
    int port = Http.freePort();
    String app = PylonProcess.sourceRoot().resolve("src/test/resources/e2e/slow").toString();
    try (PylonProcess pylon =
        PylonProcess.serving(Map.of(), state, port, app, "--instances", "1")) {
      Http http = new Http();
      CompletableFuture<HttpResponse<String>> slow =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return http.get(port, "/?seconds=3");
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      Thread.sleep(1000); // the request is now inside the app
      List<ProcessHandle> started = pylon.descendants();
      pylon.signal("INT");
      pylon.awaitLine(line -> line.contains("draining"), Duration.ofSeconds(10));

      HttpResponse<String> answer = slow.get();
      assertThat(answer.statusCode()).isEqualTo(200);
      assertThat(answer.body()).isEqualTo("slept 3 s\n");
      pylon.awaitExit(Duration.ofSeconds(30));
      assertThat(started).noneMatch(ProcessHandle::isAlive);
    }
  }
}
