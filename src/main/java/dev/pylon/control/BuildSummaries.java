package dev.pylon.control;

import dev.pylon.revision.BuildSummary;
import dev.pylon.revision.StepTiming;
import java.util.stream.Collectors;

/** A build's summary as a person reads it. */
public final class BuildSummaries {
  private BuildSummaries() {}

  /**
   * {@code Built hello-3f9a0c1d2e4b in 1.2 s (environment: reused 3 ms, snapshot: built 40 ms)}.
   */
  public static String oneLine(BuildSummary summary) {
    String steps =
        summary.steps().stream()
            .map(step -> step.name() + ": " + step.outcome() + " " + millis(step))
            .collect(Collectors.joining(", "));
    return (summary.fullyCached() ? "Reused " : "Built ")
        + summary.revisionId().orElse(summary.service())
        + " in "
        + seconds(summary.total().toMillis())
        + " ("
        + steps
        + "; "
        + summary.sourceFiles()
        + " files, "
        + kib(summary.sourceBytes())
        + (summary.environmentBytes() > 0 ? ", virtualenv " + kib(summary.environmentBytes()) : "")
        + ")";
  }

  private static String millis(StepTiming step) {
    return step.took().toMillis() + " ms";
  }

  private static String seconds(long millis) {
    return millis < 1000 ? millis + " ms" : String.format("%.1f s", millis / 1000.0);
  }

  private static String kib(long bytes) {
    return bytes < 1024 * 1024
        ? (bytes / 1024) + " KiB"
        : String.format("%.1f MiB", bytes / (1024.0 * 1024.0));
  }
}
