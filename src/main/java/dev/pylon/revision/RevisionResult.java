package dev.pylon.revision;

import java.util.List;
import java.util.Objects;

/** The outcome of {@link RevisionBuilder#build}: a revision ready to start, or why not. */
public sealed interface RevisionResult {

  BuildSummary summary();

  /** The revision is built and its pre-start step done. */
  record Built(Revision revision, BuildSummary summary) implements RevisionResult {
    public Built {
      Objects.requireNonNull(revision, "revision");
      Objects.requireNonNull(summary, "summary");
    }
  }

  /**
   * The build failed; nothing that was serving was touched. The cli exits with status 1.
   *
   * @param message one paragraph: what failed and what to do
   * @param exitCode the failing tool's exit status, -1 when no tool ran
   * @param outputTail the failing tool's own last lines
   */
  record Failed(String message, int exitCode, List<String> outputTail, BuildSummary summary)
      implements RevisionResult {
    public Failed {
      Objects.requireNonNull(message, "message");
      outputTail = List.copyOf(outputTail);
      Objects.requireNonNull(summary, "summary");
    }
  }
}
