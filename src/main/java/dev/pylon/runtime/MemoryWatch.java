package dev.pylon.runtime;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which running instances went over the memory limit, for a look every 250 ms: one whose kernel
 * killed a process of it for memory (to be ended as a whole, as Kubernetes does with
 * memory.oom.group), and one without a kernel limit whose processes together hold more resident
 * memory than the limit.
 */
final class MemoryWatch {
  private MemoryWatch() {}

  /**
   * @param running the instances to look at
   * @return each instance over the limit, with what the event adds ("" or "; it was using N MiB")
   */
  static Map<RunningInstance, String> over(
      Iterable<RunningInstance> running, InstanceLauncher launcher, long limitMiB) {
    Map<RunningInstance, String> over = new HashMap<>();
    List<RunningInstance> watched = new ArrayList<>();
    for (RunningInstance instance : running) {
      if (!instance.kernelLimitsMemory()) {
        watched.add(instance);
      } else if (instance.memoryLimitHit()) {
        over.put(instance, "");
      }
    }
    if (!watched.isEmpty()) {
      long limit = limitMiB << 20;
      launcher
          .residentBytes(watched)
          .forEach(
              (instance, bytes) -> {
                if (bytes > limit) {
                  over.put(instance, "; it was using " + (bytes >> 20) + " MiB");
                }
              });
    }
    return over;
  }
}
