package dev.pylon.control.daemon;

import dev.pylon.runtime.ReadyInstance;
import java.util.List;

/**
 * What a running revision's instances are doing, as their events tell it: which are ready, how many
 * the set has, and how many keep crashing without staying up.
 *
 * @param ready the instances that take traffic
 * @param instances the instances the set has (started, starting or waiting to restart)
 * @param crashLooping those of them that exited several times in a row without staying up
 * @param crashLoop the last crash loop's detail ("5 exits in a row ...; last: ..."), "" when none
 */
record RevisionHealth(
    List<ReadyInstance> ready, int instances, int crashLooping, String crashLoop) {
  /** A revision with no instance yet (just started, or not running). */
  static final RevisionHealth NONE = new RevisionHealth(List.of(), 0, 0, "");

  RevisionHealth {
    ready = List.copyOf(ready);
  }

  /** Only ready instances, nothing known about the others (tests, and a set that just started). */
  static RevisionHealth ready(List<ReadyInstance> ready) {
    return new RevisionHealth(ready, ready.size(), 0, "");
  }

  /**
   * No instance will be ready soon: none is ready and every instance is in a crash loop, so a
   * request should not wait for one (its restart delays grow to minutes).
   */
  boolean inCrashLoop() {
    return ready.isEmpty() && crashLooping > 0 && crashLooping >= instances;
  }
}
