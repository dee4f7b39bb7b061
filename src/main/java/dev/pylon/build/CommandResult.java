package dev.pylon.build;

import java.time.Duration;
import java.util.List;

/**
 * How a command ended.
 *
 * @param exitCode its exit status
 * @param outputTail its last lines of combined stdout and stderr, oldest first
 * @param took how long it ran
 */
record CommandResult(int exitCode, List<String> outputTail, Duration took) {
  CommandResult {
    outputTail = List.copyOf(outputTail);
  }

  boolean succeeded() {
    return exitCode == 0;
  }
}
