package dev.pylon.revision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pylon.revision.EnvironmentResult.Failed;
import dev.pylon.revision.EnvironmentResult.Ready;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Builds stopped in the middle of {@code pip install}: no half entry is ever trusted, and the next
 * build succeeds.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BuildInterruptionTest {
  private static final String DISTRIBUTION = "pylon-slow";

  @TempDir Path state;
  @TempDir Path app;
  @TempDir Path work;

  private EnvironmentRequest request;

  @BeforeEach
  void setUp() throws Exception {
    Files.writeString(app.resolve("requirements.txt"), DISTRIBUTION + "==1.0\n");
    request = SystemPython.request(app, List.of(Path.of("requirements.txt")), false);
  }

  /** Index settings that send pip to the hanging index and nowhere else. */
  private static Map<String, String> hangingIndex(HangingPackageIndex index) {
    return Map.of(
        "PIP_INDEX_URL", index.url(),
        "PIP_EXTRA_INDEX_URL", "",
        "PIP_FIND_LINKS", "",
        "PIP_RETRIES", "0",
        "PIP_CONFIG_FILE", "/dev/null");
  }

  private Ready buildFromAWheelhouse(RecordingProgress progress) throws Exception {
    Path wheelhouse =
        SystemPython.wheelhouseWith(work, DISTRIBUTION, "pylon_slow", "VALUE = 'installed'\n");
    EnvironmentResult result =
        new EnvironmentBuilder(
                state,
                progress,
                Map.of("PIP_NO_INDEX", "1", "PIP_FIND_LINKS", wheelhouse.toString()))
            .prepare(request);
    assertThat(result).isInstanceOf(Ready.class);
    return (Ready) result;
  }

  @Test
  void aBuildKilledMidInstallLeavesNothingTrustedAndTheNextBuildSucceeds() throws Exception {
    Path envDir = state.resolve("envs").resolve(EnvironmentKey.of(request));
    try (HangingPackageIndex index = new HangingPackageIndex(DISTRIBUTION)) {
      ProcessBuilder child =
          new ProcessBuilder(
                  ProcessHandle.current().info().command().orElse("java"),
                  "-cp",
                  System.getProperty("java.class.path"),
                  EnvironmentBuildProcess.class.getName(),
                  state.toString(),
                  app.toString())
              .redirectErrorStream(true)
              .redirectOutput(work.resolve("child.log").toFile());
      child.environment().putAll(hangingIndex(index));
      Process build = child.start();
      try {
        assertThat(index.awaitDownload(60))
            .as("pip started downloading; child log:%n%s", readQuietly(work.resolve("child.log")))
            .isTrue();
      } finally {
        build.descendants().forEach(ProcessHandle::destroyForcibly);
        build.destroyForcibly();
        build.waitFor(10, TimeUnit.SECONDS);
      }
    }
    assertThat(envDir).isDirectory();
    assertThat(EnvironmentBuilder.isComplete(envDir)).isFalse();

    RecordingProgress progress = new RecordingProgress();
    Ready ready = buildFromAWheelhouse(progress);

    assertThat(ready.reused()).isFalse();
    assertThat(ready.venv()).contains(envDir);
    assertThat(progress.steps).anyMatch(step -> step.startsWith("Removing an unfinished"));
    assertThat(SystemPython.run(ready.python(), "import pylon_slow; print(pylon_slow.VALUE)"))
        .isEqualTo("installed");
  }

  @Test
  void anInterruptedBuildKillsPipAndRemovesItsUnfinishedEntry() throws Exception {
    Path envDir = state.resolve("envs").resolve(EnvironmentKey.of(request));
    RecordingProgress progress = new RecordingProgress();
    try (HangingPackageIndex index = new HangingPackageIndex(DISTRIBUTION)) {
      EnvironmentBuilder builder = new EnvironmentBuilder(state, progress, hangingIndex(index));
      AtomicReference<Thread> worker = new AtomicReference<>();
      CompletableFuture<EnvironmentResult> result =
          CompletableFuture.supplyAsync(
              () -> {
                worker.set(Thread.currentThread());
                return builder.prepare(request);
              });
      assertThat(index.awaitDownload(60)).isTrue();
      List<ProcessHandle> pips =
          ProcessHandle.current()
              .descendants()
              .filter(p -> p.info().commandLine().orElse("").contains(" pip "))
              .toList();
      assertThat(pips).isNotEmpty();

      worker.get().interrupt();
      EnvironmentResult outcome = result.get(30, TimeUnit.SECONDS);

      assertThat(outcome).isInstanceOf(Failed.class);
      assertThat(((Failed) outcome).message()).contains("interrupted");
      assertThat(pips).noneMatch(ProcessHandle::isAlive);
      assertThat(envDir).doesNotExist();
    }

    assertThat(buildFromAWheelhouse(new RecordingProgress()).reused()).isFalse();
  }

  private static String readQuietly(Path file) {
    try {
      return Files.readString(file);
    } catch (java.io.IOException e) {
      return "(no log: " + e + ")";
    }
  }
}
