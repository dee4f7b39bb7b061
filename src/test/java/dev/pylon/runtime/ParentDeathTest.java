package dev.pylon.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** If Pylon itself is SIGKILLed, the kernel ends its instances (PR_SET_PDEATHSIG). */
class ParentDeathTest {
  @Test
  void instancesDieWhenPylonIsKilled(@TempDir Path dir) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process child =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                ChildPylon.class.getName(),
                dir.toString())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    try {
      long instancePid = -1;
      try (BufferedReader out =
          new BufferedReader(
              new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = out.readLine()) != null; ) {
          if (line.startsWith("instance-pid=")) {
            instancePid = Long.parseLong(line.substring("instance-pid=".length()));
            break;
          }
        }
        assertThat(instancePid).as("the child Pylon reported its instance").isPositive();
        assertThat(ProcessGroups.alive(instancePid)).isTrue();

        child.destroyForcibly(); // SIGKILL: no shutdown hook, no stop()
        assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ProcessGroups.alive(instancePid) && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        assertThat(ProcessGroups.alive(instancePid)).as("instance outlived Pylon").isFalse();
      }
    } finally {
      child.destroyForcibly();
    }
  }
}
