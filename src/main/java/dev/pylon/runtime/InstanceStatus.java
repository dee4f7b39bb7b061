package dev.pylon.runtime;

import java.time.Instant;
import java.util.List;

/**
 * A snapshot of one instance, for {@code pylon instances} and error reports.
 *
 * @param name {@code <revision>-<n>}
 * @param state where the instance is in its life cycle
 * @param port the port of its current (or last) process, 0 before the first start
 * @param pid the pid (and process group id) of its current process, -1 when none is running
 * @param starts how many times a process was started for it
 * @param since when it entered {@code state}
 * @param lastExit how its last process ended ("" when none has ended)
 * @param lastLines the last lines its current or last process wrote
 */
public record InstanceStatus(
    String name,
    State state,
    int port,
    long pid,
    int starts,
    Instant since,
    String lastExit,
    List<String> lastLines) {
  public enum State {
    /** Started, not yet accepting connections. */
    STARTING,
    /** Accepting connections and in the ready list. */
    READY,
    /** Running but failing its readiness probe: out of the ready list. */
    UNREADY,
    /** Exited; waiting for its restart delay. */
    BACKOFF,
    /** Exited several times in a row without staying up; restarts continue with back-off. */
    CRASH_LOOP,
    /** Stopped on purpose. */
    STOPPED
  }

  public InstanceStatus {
    lastLines = List.copyOf(lastLines);
  }
}
