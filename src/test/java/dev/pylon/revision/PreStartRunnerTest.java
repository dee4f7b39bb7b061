package dev.pylon.revision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pylon.revision.PreStartResult.Done;
import dev.pylon.revision.PreStartResult.Failed;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PreStartRunnerTest {
  @TempDir Path revisions;
  @TempDir Path scratch;

  private final RecordingProgress progress = new RecordingProgress();
  private Path revision;

  @BeforeEach
  void setUp() throws Exception {
    revision = Files.createDirectories(revisions.resolve("hello-0123456789ab"));
  }

  private PreStartRunner runner() {
    return new PreStartRunner(progress, Duration.ofSeconds(30));
  }

  @Test
  void runsOncePerRevisionInTheRevisionFolderWithItsEnvironment() throws Exception {
    Path count = scratch.resolve("count");
    String command = "echo ran >> \"$COUNT_FILE\"; echo \"service=$K_SERVICE dir=$(pwd)\"";
    Map<String, String> env = Map.of("COUNT_FILE", count.toString(), "K_SERVICE", "hello");

    PreStartResult first = runner().run(revision, command, Optional.empty(), env);
    PreStartResult second = runner().run(revision, command, Optional.empty(), env);

    assertThat(first).isEqualTo(new Done(false, ((Done) first).took()));
    assertThat(second).isEqualTo(new Done(true, Duration.ZERO));
    assertThat(Files.readAllLines(count)).containsExactly("ran");
    assertThat(progress.lines).contains("service=hello dir=" + revision);
  }

  @Test
  void aFailureIsAValueWithTheOutputAndTheStepRunsAgainNextTime() throws Exception {
    PreStartResult failed =
        runner().run(revision, "echo migrating; echo boom >&2; exit 3", Optional.empty(), Map.of());

    assertThat(failed).isInstanceOf(Failed.class);
    assertThat(((Failed) failed).exitCode()).isEqualTo(3);
    assertThat(((Failed) failed).outputTail()).containsExactly("migrating", "boom");
    assertThat(((Failed) failed).message()).contains("exit status 3").contains("not started");
    assertThat(PreStartRunner.markerOf(revision)).doesNotExist();

    PreStartResult fixed = runner().run(revision, "true", Optional.empty(), Map.of());
    assertThat(fixed).isInstanceOf(Done.class);
    assertThat(((Done) fixed).alreadyDone()).isFalse();
  }

  @Test
  void theVirtualenvComesFirstOnThePath() throws Exception {
    Path venv = scratch.resolve("venv");
    Path greet = Files.createDirectories(venv.resolve("bin")).resolve("greet");
    Files.writeString(greet, "#!/bin/sh\necho from-the-venv\n");
    Files.setPosixFilePermissions(greet, PosixFilePermissions.fromString("rwxr-xr-x"));

    PreStartResult result =
        runner().run(revision, "greet && echo \"$VIRTUAL_ENV\"", Optional.of(venv), Map.of());

    assertThat(result).isInstanceOf(Done.class);
    assertThat(progress.lines).containsExactly("from-the-venv", venv.toString());
  }

  @Test
  void aStepThatRunsTooLongIsStoppedWithEverythingItStarted() throws Exception {
    PreStartRunner impatient = new PreStartRunner(progress, Duration.ofMillis(700));

    PreStartResult result =
        impatient.run(revision, "sleep 30 & echo child=$!; wait", Optional.empty(), Map.of());

    assertThat(result).isInstanceOf(Failed.class);
    assertThat(((Failed) result).message()).contains("did not finish within");
    long child =
        Long.parseLong(
            progress.lines.stream()
                .filter(line -> line.startsWith("child="))
                .findFirst()
                .orElseThrow()
                .substring("child=".length()));
    assertThat(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false)).isFalse();
  }
}
