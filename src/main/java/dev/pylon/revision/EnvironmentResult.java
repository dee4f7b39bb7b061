package dev.pylon.revision;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** The outcome of {@link EnvironmentBuilder#prepare}: an environment to run with, or why not. */
public sealed interface EnvironmentResult {

  /**
   * An environment ready to run the app.
   *
   * @param python the interpreter to run the app with: the virtualenv's {@code bin/python}, or the
   *     base interpreter when the app has no dependency files
   * @param venv the virtualenv's folder, empty when none was needed
   * @param reused true when the virtualenv came from the cache and no pip work was done; false when
   *     it was built now or when no virtualenv was needed
   * @param took how long preparing took
   */
  record Ready(Path python, Optional<Path> venv, boolean reused, Duration took)
      implements EnvironmentResult {
    public Ready {
      Objects.requireNonNull(python, "python");
      Objects.requireNonNull(venv, "venv");
      Objects.requireNonNull(took, "took");
    }
  }

  /**
   * The environment could not be built; nothing half-built is left behind.
   *
   * @param message one paragraph: what failed and what to do about it
   * @param exitCode the failing tool's exit status, or -1 when no tool ran
   * @param outputTail the failing tool's own last lines of output, oldest first
   */
  record Failed(String message, int exitCode, List<String> outputTail)
      implements EnvironmentResult {
    public Failed {
      Objects.requireNonNull(message, "message");
      outputTail = List.copyOf(outputTail);
    }
  }
}
