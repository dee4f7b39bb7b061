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
      // Only once the app has the request: on a busy machine a fixed pause may end before the
      // request even reached the router, which then rightly turns it away as it drains.
      pylon.awaitLine(line -> line.contains("sleeping 3 s"), Duration.ofSeconds(20));
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
