package dev.pylon.runtime;

import java.time.Instant;

/** Something that happened to an instance, for the user and for the event log. */
public record InstanceEvent(Instant at, String instance, Kind kind, String detail) {
  /** The kinds of event, in the order an instance's life usually shows them. */
  public enum Kind {
    /** A process was started for the instance (detail: pid and port). */
    STARTING,
    /**
     * A running instance that an earlier Pylon started (before a restart or hand-over) was taken
     * over (detail: pid and port); it is probed before it gets traffic again.
     */
    ADOPTED,
    /** The instance's port accepts connections; it gets traffic from now on. */
    READY,
    /** The instance failed its readiness probe after being ready; it gets no traffic. */
    UNREADY,
    /** The instance failed its liveness probe; it is being ended and will be restarted. */
    LIVENESS_FAILED,
    /** The instance used more memory than its limit; it is being killed and will be restarted. */
    MEMORY_LIMIT,
    /** The instance's process ended (detail: exit status or signal). */
    EXITED,
    /** The instance will be started again after a back-off delay (detail: the delay). */
    RESTARTING,
    /** The instance never became ready on its first start (detail: why, and its last lines). */
    FAILED_TO_START,
    /** The instance keeps failing: several restarts in a row without staying up. */
    CRASH_LOOP,
    /** The instance was stopped on purpose. */
    STOPPED,
    /**
     * Something about how the revision's instances run that the user should know, said once (e.g.
     * no cgroup can be made, so the memory limit is watched instead); {@code instance} is the
     * revision's name.
     */
    WARNING
  }
}
