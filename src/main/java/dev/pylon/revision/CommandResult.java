package dev.pylon.revision;

import java.time.Duration;
import java.util.List;

/**
 * How a command ended.
 *
 * @param exitCode its exit status
 * @param outputTail its last lines of combined stdout and stderr, oldest first
 * @param took how long it ran
 * @param timedOut whether it was killed for running past its time limit
 */
record CommandResult(int exitCode, List<String> outputTail, Duration took, boolean timedOut) {
  CommandResult {
    outputTail = List.copyOf(outputTail);
  }

  CommandResult(int exitCode, List<String> outputTail, Duration took) {
    this(exitCode, outputTail, took, false);
  }

  boolean succeeded() {
    return exitCode == 0 && !timedOut;
  }
}
