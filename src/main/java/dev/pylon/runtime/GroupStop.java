package dev.pylon.runtime;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Stops instances the way Kubernetes does: SIGTERM, up to {@code grace}, then SIGKILL. */
final class GroupStop {
  private static final Logger log = LoggerFactory.getLogger(GroupStop.class);

  private GroupStop() {}

  /**
   * Terminates every one of {@code instances}, waits up to {@code grace} for all to be gone, kills
   * what is left and waits up to {@code killWait} more. Returns the ones that had to be killed.
   */
  static Set<RunningInstance> stop(
      List<RunningInstance> instances, Duration grace, Duration killWait, String what) {
    Set<RunningInstance> killed = new HashSet<>();
    instances.forEach(RunningInstance::terminate);
    if (awaitGone(instances, grace)) {
      return killed;
    }
    for (RunningInstance instance : instances) {
      if (!instance.gone()) {
        killed.add(instance);
        instance.kill();
      }
    }
    if (!awaitGone(instances, killWait)) {
      log.error(
          "{}: processes still present after SIGKILL: {}",
          what,
          instances.stream().filter(i -> !i.gone()).map(RunningInstance::pid).toList());
    }
    return killed;
  }

  private static boolean awaitGone(List<RunningInstance> instances, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (instances.stream().allMatch(RunningInstance::gone)) {
        return true;
      }
      if (System.nanoTime() >= deadline) {
        return false;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }
}
