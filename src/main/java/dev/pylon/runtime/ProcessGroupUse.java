package dev.pylon.runtime;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * What each instance's process group uses now, for pages that show it (the daemon's console):
 * resident memory and CPU time so far, read from {@code /proc} as the memory watch and the CPU
 * autoscaler read them.
 *
 * @param residentBytes resident memory of every process in the group
 * @param cpuSeconds user + system time of the group's processes (and the children they reaped)
 */
public record ProcessGroupUse(long residentBytes, double cpuSeconds) {
  /** The use of each process group among {@code groups} that still has a live process. */
  public static Map<Long, ProcessGroupUse> of(Set<Long> groups) {
    Map<Long, Long> memory = ProcessGroups.residentBytes(groups);
    Map<Long, Long> ticks = ProcessGroups.cpuTicks(groups);
    double perSecond = ProcessGroups.clockTicksPerSecond();
    Map<Long, ProcessGroupUse> use = new HashMap<>();
    for (long group : groups) {
      if (memory.containsKey(group) || ticks.containsKey(group)) {
        use.put(
            group,
            new ProcessGroupUse(
                memory.getOrDefault(group, 0L), ticks.getOrDefault(group, 0L) / perSecond));
      }
    }
    return use;
  }
}
