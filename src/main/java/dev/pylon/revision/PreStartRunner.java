package dev.pylon.revision;

import dev.pylon.revision.PreStartResult.Done;
import dev.pylon.revision.PreStartResult.Failed;
import dev.pylon.spec.InstanceEnvironment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs a revision's pre-start step ({@code release:} in a Procfile, or {@code --pre-start}): a
 * shell command run once, before any instance of the revision starts, the way a Kubernetes init
 * container or Heroku's release phase runs migrations.
 *
 * <p>"Once" is recorded by a marker beside the revision folder ({@code <revision-id>.pre-start}
 * holding the command), written only after success, so a failed or interrupted step runs again on
 * the next build; a lock keeps two builds of the same revision from running it together.
 *
 * <p>The command runs with {@code /bin/sh -c} in the revision folder, with Pylon's environment
 * plus: the virtualenv's {@code bin} first on {@code PATH} and {@code VIRTUAL_ENV} (so {@code
 * python manage.py migrate} finds the app's packages), {@code PYTHONUNBUFFERED=1} (its output
 * arrives as it is written), {@code PYTHONDONTWRITEBYTECODE=1} (the revision stays as built), and
 * the variables the caller gives (the revision's environment: {@code K_SERVICE}, the user's
 * variables...), which win.
 */
public final class PreStartRunner {
  /** How long a pre-start step may run when the caller does not say. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);

  private final BuildProgress progress;
  private final CommandRunner runner;
  private final Duration timeout;

  public PreStartRunner(BuildProgress progress, Duration timeout) {
    this.progress = progress;
    this.runner = new CommandRunner(Map.of(), 40);
    this.timeout = timeout;
  }

  /**
   * Runs {@code command} for the revision in {@code revisionDir} unless it already succeeded there.
   *
   * @param venv the revision's virtualenv, if it has one
   * @param env the revision's environment variables
   */
  public PreStartResult run(
      Path revisionDir, String command, Optional<Path> venv, Map<String, String> env) {
    Path marker = markerOf(revisionDir);
    try {
      if (alreadyDone(marker, command)) {
        progress.step("Pre-start step already done for this revision");
        return new Done(true, Duration.ZERO);
      }
      KeyLock lock =
          KeyLock.acquire(
              revisionDir.resolveSibling(revisionDir.getFileName() + ".pre-start.lock"),
              () -> progress.step("Waiting for another build running this pre-start step"));
      try {
        if (alreadyDone(marker, command)) {
          return new Done(true, Duration.ZERO);
        }
        return runNow(revisionDir, command, venv, env, marker);
      } finally {
        lock.close();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Failed(
          "The pre-start step was interrupted; it will run again on the next build.",
          -1,
          List.of());
    } catch (IOException e) {
      return new Failed(
          "The pre-start step `"
              + command
              + "` could not be started ("
              + e.getMessage()
              + "). Check that /bin/sh exists and the state directory is writable.",
          -1,
          List.of());
    }
  }

  private PreStartResult runNow(
      Path revisionDir, String command, Optional<Path> venv, Map<String, String> env, Path marker)
      throws IOException, InterruptedException {
    progress.step("Running the pre-start step: " + command);
    CommandResult result =
        runner.run(
            List.of("/bin/sh", "-c", command),
            revisionDir,
            environment(venv, env),
            progress::line,
            timeout);
    if (result.timedOut()) {
      return new Failed(
          "The pre-start step `"
              + command
              + "` did not finish within "
              + timeout.toSeconds()
              + " s and was stopped; the revision was not started. Make it finish sooner, or"
              + " raise the limit.",
          -1,
          result.outputTail());
    }
    if (!result.succeeded()) {
      return new Failed(
          "The pre-start step `"
              + command
              + "` failed with exit status "
              + result.exitCode()
              + "; the revision was not started and what is serving is unchanged. Its last"
              + " lines are below.",
          result.exitCode(),
          result.outputTail());
    }
    Path temporary = marker.resolveSibling(marker.getFileName() + ".tmp");
    Files.writeString(temporary, command, StandardCharsets.UTF_8);
    Files.move(temporary, marker, StandardCopyOption.ATOMIC_MOVE);
    return new Done(false, result.took());
  }

  private static Map<String, String> environment(Optional<Path> venv, Map<String, String> env) {
    return InstanceEnvironment.forPreStart(venv, env, System.getenv());
  }

  private static boolean alreadyDone(Path marker, String command) throws IOException {
    return Files.isRegularFile(marker)
        && Files.readString(marker, StandardCharsets.UTF_8).equals(command);
  }

  /** Where success is recorded: beside the revision folder, which is read-only. */
  static Path markerOf(Path revisionDir) {
    return revisionDir.resolveSibling(revisionDir.getFileName() + ".pre-start");
  }
}
