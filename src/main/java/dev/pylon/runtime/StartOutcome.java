package dev.pylon.runtime;

import java.util.List;

/**
 * How {@link InstanceSet#awaitFirstReady} ended.
 *
 * @param result READY, FAILED (every instance failed on its first start) or TIMED_OUT
 * @param instance on failure, the instance reported; otherwise the first ready one ("" on timeout)
 * @param detail a one-line explanation (e.g. "exited with status 3 before accepting connections")
 * @param exitCode on failure, the exit status of the reported instance, -1 when it has none (it
 *     could not be started, or was killed by Pylon for not starting in time)
 * @param lastLines on failure, the last lines the reported instance wrote (its traceback)
 */
public record StartOutcome(
    Result result, String instance, String detail, int exitCode, List<String> lastLines) {
  public enum Result {
    READY,
    FAILED,
    TIMED_OUT
  }

  public StartOutcome {
    lastLines = List.copyOf(lastLines);
  }

  public boolean ready() {
    return result == Result.READY;
  }
}
