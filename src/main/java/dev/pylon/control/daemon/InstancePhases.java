package dev.pylon.control.daemon;

import dev.pylon.runtime.InstanceEvent;
import dev.pylon.runtime.ReadyInstance;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Follows one instance set's events into a {@link RevisionHealth}: an instance counts from its
 * first start until it is stopped, and is in a crash loop from the runtime's CRASH_LOOP event until
 * it is ready again. Not thread-safe: the set reports from one thread.
 */
final class InstancePhases {
  private final Set<String> live = new HashSet<>();
  private final Set<String> crashing = new HashSet<>();
  private List<ReadyInstance> ready = List.of();
  private String crashLoop = "";

  /** Whether the health changed in a way the router sees (the crash loop began or ended). */
  boolean event(InstanceEvent event) {
    boolean before = health().inCrashLoop();
    String name = event.instance();
    switch (event.kind()) {
      case STARTING,
          ADOPTED,
          EXITED,
          RESTARTING,
          FAILED_TO_START,
          UNREADY,
          LIVENESS_FAILED,
          MEMORY_LIMIT ->
          live.add(name);
      case READY -> {
        live.add(name);
        crashing.remove(name);
      }
      case CRASH_LOOP -> {
        live.add(name);
        crashing.add(name);
        crashLoop = event.detail();
      }
      case STOPPED -> {
        live.remove(name);
        crashing.remove(name);
      }
      case WARNING -> {
        // about the revision, not an instance
      }
    }
    return before != health().inCrashLoop();
  }

  void ready(List<ReadyInstance> now) {
    ready = List.copyOf(now);
  }

  RevisionHealth health() {
    return new RevisionHealth(ready, live.size(), crashing.size(), crashLoop);
  }
}
