package dev.pylon.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two Pylons on one state directory (issue 11, finding 14): the second one's start-up ends only
 * strays, so the first one's instance keeps its pid and keeps serving while the second starts and
 * stops; once the first is killed, its leftovers are strays again.
 */
class TwoPylonsTest {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void aSecondPylonLeavesTheFirstOnesInstancesAlone(@TempDir Path dir) throws Exception {
    Path runDir = dir.resolve("run");
    Process first = childPylon(dir, runDir, false);
    try (BufferedReader firstOut = reader(first)) {
      Map<String, String> firstSaid = readUntil(firstOut, "instance-pid");
      long instance = Long.parseLong(firstSaid.get("instance-pid"));
      int port = Integer.parseInt(firstSaid.get("instance-port"));
      assertThat(get(port)).isEqualTo(200);

      Process second = childPylon(dir, runDir, true);
      try (BufferedReader secondOut = reader(second)) {
        Map<String, String> secondSaid = readUntil(secondOut, "stopped");
        assertThat(secondSaid.get("ended")).isEqualTo("[]");
        assertThat(second.waitFor(20, TimeUnit.SECONDS)).isTrue();
      } finally {
        second.destroyForcibly();
      }

      assertThat(ProcessGroups.alive(instance)).as("the first Pylon's instance").isTrue();
      assertThat(get(port)).isEqualTo(200);

      long sleeper = Long.parseLong(firstSaid.get("sleeper"));
      first.destroyForcibly();
      assertThat(first.waitFor(10, TimeUnit.SECONDS)).isTrue();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (ProcessGroups.alive(instance) && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(StrayInstances.endAll(runDir)).containsExactly("child-1: pid " + sleeper);
    } finally {
      first.destroyForcibly();
    }
  }

  private static Process childPylon(Path dir, Path runDir, boolean second) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    return new ProcessBuilder(
            java,
            "-cp",
            System.getProperty("java.class.path"),
            ChildPylon.class.getName(),
            dir.toString(),
            runDir.toString(),
            second ? "second" : "first")
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
  }

  private static BufferedReader reader(Process process) {
    return new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  /** The {@code key=value} lines it printed, up to the line starting with {@code last}. */
  private static Map<String, String> readUntil(BufferedReader out, String last) throws Exception {
    Map<String, String> said = new HashMap<>();
    for (String line; (line = out.readLine()) != null; ) {
      int equals = line.indexOf('=');
      if (equals > 0) {
        said.put(line.substring(0, equals), line.substring(equals + 1));
      }
      if (line.startsWith(last)) {
        return said;
      }
    }
    throw new AssertionError("the child Pylon ended before printing " + last + ": " + said);
  }

  private static int get(int port) throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }
}
