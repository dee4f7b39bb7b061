package dev.pylon.runtime;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * What each instance's process group uses now, for pages that show it (the daemon's console):
 * resident memory and CPU time so far, from one pass over {@code /proc/PID/stat} (a page is drawn
 * on a loaded machine too, where every pass over {@code /proc} costs).
 *
 * @param residentBytes resident memory of every process in the group ({@code stat}'s rss)
 * @param cpuSeconds user + system time of the group's processes and the children they reaped
 */
public record ProcessGroupUse(long residentBytes, double cpuSeconds) {
  /** As ProcessGroups assumes: every Linux platform the JDK supports but a few. */
  private static final long PAGE_SIZE = 4096;

  /**
   * The use of each process group among {@code groups} that has a live process; {@code
   * ticksPerSecond} from {@link #clockTicksPerSecond} (which runs a process: keep its answer).
   */
  public static Map<Long, ProcessGroupUse> of(Set<Long> groups, long ticksPerSecond) {
    Map<Long, long[]> sums = new HashMap<>();
    File[] entries = new File("/proc").listFiles();
    if (entries == null || groups.isEmpty()) {
      return Map.of();
    }
    for (File entry : entries) {
      String name = entry.getName();
      if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
        continue;
      }
      try {
        String text = Files.readString(entry.toPath().resolve("stat"), StandardCharsets.UTF_8);
        // "pid (comm) state ppid pgrp ...": fields[n - 3] is proc(5)'s field n.
        String[] fields = text.substring(text.lastIndexOf(')') + 2).split(" ");
        long group = Long.parseLong(fields[2]);
        if (!groups.contains(group) || fields[0].equals("Z")) {
          continue;
        }
        long ticks =
            Long.parseLong(fields[11])
                + Long.parseLong(fields[12])
                + Long.parseLong(fields[13])
                + Long.parseLong(fields[14]);
        long rssPages = Long.parseLong(fields[21]);
        long[] sum = sums.computeIfAbsent(group, g -> new long[2]);
        sum[0] += rssPages;
        sum[1] += ticks;
      } catch (IOException | RuntimeException gone) {
        // exited meanwhile
      }
    }
    Map<Long, ProcessGroupUse> use = new HashMap<>();
    sums.forEach(
        (group, sum) ->
            use.put(
                group, new ProcessGroupUse(sum[0] * PAGE_SIZE, sum[1] / (double) ticksPerSecond)));
    return use;
  }

  /** The kernel's clock ticks per second, the unit of {@code /proc}'s CPU times. */
  public static long clockTicksPerSecond() {
    return ProcessGroups.clockTicksPerSecond();
  }
}
