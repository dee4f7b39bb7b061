package dev.pylon.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * If Pylon itself is SIGKILLed, the kernel ends its instances (PR_SET_PDEATHSIG), and what they
 * forked is ended by the next Pylon from the pid files ({@link StrayInstances}).
 */
class ParentDeathTest {
  @Test
  void nothingOutlivesAKilledPylonOnceTheNextOneStarts(@TempDir Path dir) throws Exception {
    Path runDir = dir.resolve("run");
    String java = ProcessHandle.current().info().command().orElse("java");
    Process child =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                ChildPylon.class.getName(),
                dir.toString(),
                runDir.toString())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      long sleeper = -1;
      long instance = -1;
      for (String line; instance < 0 && (line = out.readLine()) != null; ) {
        if (line.startsWith("sleeper=")) {
          sleeper = Long.parseLong(line.substring("sleeper=".length()));
        } else if (line.startsWith("instance-pid=")) {
          instance = Long.parseLong(line.substring("instance-pid=".length()));
        }
      }
      assertThat(instance).as("the child Pylon reported its instance").isPositive();
      assertThat(sleeper).as("the instance reported its own child").isPositive();
      assertThat(ProcessGroups.alive(instance)).isTrue();
      try (var files = Files.list(runDir)) {
        assertThat(files).hasSize(1);
      }

      child.destroyForcibly(); // SIGKILL: no shutdown hook, no stop()
      assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();

      awaitGone(instance);
      assertThat(ProcessGroups.alive(instance)).as("instance outlived Pylon").isFalse();
      // The kernel only ends the direct child; what it forked is still there...
      assertThat(ProcessGroups.alive(sleeper)).isTrue();

      // ...until the next Pylon looks at the pid files.
      assertThat(StrayInstances.endAll(runDir)).containsExactly("child-1: pid " + sleeper);
      assertThat(ProcessGroups.alive(sleeper)).isFalse();
      try (var files = Files.list(runDir)) {
        assertThat(files).isEmpty();
      }
      assertThat(StrayInstances.endAll(runDir)).isEmpty();
    } finally {
      child.destroyForcibly();
    }
  }

  private static void awaitGone(long pid) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (ProcessGroups.alive(pid) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
  }
}
