package dev.pylon.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A request that kills its instance is not sent to another one (which it would kill too, and so on
 * through the fleet): it gets 502 naming the exit, one instance restarts, the others serve on.
 */
class QueryOfDeathIT {
  @TempDir Path state;

  @Test
  void aRequestThatKillsItsInstanceRestartsOnlyThatInstance() throws Exception {
    int port = Http.freePort();
    String app = PylonProcess.sourceRoot().resolve("src/test/resources/e2e/crash").toString();
    try (PylonProcess pylon =
        PylonProcess.serving(
            Map.of("PYLON_LOG_LEVEL", "INFO"), state, port, app, "--instances", "3")) {
      Http http = new Http();
      // every instance answers, and the router keeps a connection to each in its pool
      Set<String> before = new HashSet<>();
      for (int i = 0; i < 200 && before.size() < 3; i++) {
        HttpResponse<String> r = http.get(port, "/");
        assertThat(r.statusCode()).isEqualTo(200);
        before.add(r.body());
      }
      assertThat(before).hasSize(3);

      HttpResponse<String> crash = http.get(port, "/crash", "X-Request-Id", "query-of-death-1");
      assertThat(crash.statusCode()).isEqualTo(502);
      assertThat(crash.body())
          .containsPattern("instance \\S+ exited with status 3 while handling this request");
      // the access log ties the request to the exit
      pylon.awaitLine(
          line -> line.contains("query-of-death-1") && line.contains("exited with status 3"),
          Duration.ofSeconds(10));

      // the two others never stopped serving
      Set<String> survivors = new HashSet<>();
      for (int i = 0; i < 40; i++) {
        HttpResponse<String> r = http.get(port, "/");
        assertThat(r.statusCode()).isEqualTo(200);
        if (before.contains(r.body())) {
          survivors.add(r.body());
        }
      }
      assertThat(survivors).hasSize(2);
      // exactly one instance restarted
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (count(pylon, " ready: ") < 4 && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertThat(count(pylon, " ready: ")).as(pylon.output()).isEqualTo(4);
      Thread.sleep(1000);
      assertThat(count(pylon, " exited: ")).as(pylon.output()).isEqualTo(1);
      for (String pid : before) {
        if (survivors.contains(pid)) {
          assertThat(ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive))
              .contains(true);
        }
      }
    }
  }

  private static long count(PylonProcess pylon, String text) {
    return pylon.output().lines().filter(l -> l.contains(text)).count();
  }
}
