package dev.pylon.revision;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/** The outcome of a revision's pre-start step. */
public sealed interface PreStartResult {

  /**
   * The step succeeded, now or before.
   *
   * @param alreadyDone true when it had already succeeded for this revision and was not run again
   * @param took how long it ran now (zero when already done)
   */
  record Done(boolean alreadyDone, Duration took) implements PreStartResult {
    public Done {
      Objects.requireNonNull(took, "took");
    }
  }

  /**
   * The step failed; the revision must not start.
   *
   * @param message one paragraph: what failed and what to do
   * @param exitCode the command's exit status (-1 when it could not start or ran too long)
   * @param outputTail the command's last lines of output, oldest first
   */
  record Failed(String message, int exitCode, List<String> outputTail) implements PreStartResult {
    public Failed {
      Objects.requireNonNull(message, "message");
      outputTail = List.copyOf(outputTail);
    }
  }
}
