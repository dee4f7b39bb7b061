package dev.pylon.revision;

/**
 * Where a build reports what it is doing, for a person to read. The cli supplies the implementation
 * (a terminal view, {@code --quiet}, {@code --json}); library code never prints.
 */
public interface BuildProgress {

  /** A progress that shows nothing: for callers that only want the result. */
  BuildProgress SILENT =
      new BuildProgress() {
        @Override
        public void step(String description) {}

        @Override
        public void line(String outputLine) {}
      };

  /** A new step begins, for example "Creating virtualenv". */
  void step(String description);

  /** One line of output from a tool the step runs (pip, compileall, the pre-start command). */
  void line(String outputLine);
}
