package dev.pylon.runtime;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Linux process groups, seen through {@code /proc} and signalled with {@code kill(1)} (the JDK can
 * signal one process but not a group). An instance is started as the leader of its own session, so
 * its process group id is its pid and everything it forks stays in that group.
 */
final class ProcessGroups {
  private static final Logger log = LoggerFactory.getLogger(ProcessGroups.class);
  private static final Path PROC = Path.of("/proc");
  private static final long PAGE_SIZE = 4096; // every Linux platform the JDK supports but a few

  private ProcessGroups() {}

  /**
   * A process as {@code /proc/<pid>/stat} shows it; {@code startTime} is in clock ticks since boot,
   * which tells a process from a later one that reuses its pid.
   */
  record Stat(
      long pid, String name, char state, long parent, long group, long session, long startTime) {
    boolean running() {
      return state != 'Z' && state != 'X';
    }
  }

  /**
   * Sends {@code signal} (TERM or KILL) to the whole process group led by {@code leader}, or, when
   * there is no such group yet (the leader has not called setsid), to the leader alone through its
   * handle, which never signals a later process that reuses the pid. Returns whether any process
   * got it.
   */
  static boolean signal(ProcessHandle leader, String signal) {
    if (signalGroup(leader.pid(), signal)) {
      return true;
    }
    if (!leader.isAlive()) {
      return false;
    }
    return signal.equals("KILL") ? leader.destroyForcibly() : leader.destroy();
  }

  /** Sends {@code signal} to every process of group {@code pgid}; false when there is none. */
  static boolean signalGroup(long pgid, String signal) {
    return kill("-" + signal, "--", "-" + pgid);
  }

  /**
   * Sends {@code signal} to each member of group {@code pgid} except processes named {@code spared}
   * (e.g. bubblewrap's, which would otherwise die first and take the sandbox down with SIGKILL
   * before the app could drain). Returns whether any process got it.
   */
  static boolean signalAllBut(long pgid, String signal, String spared) {
    List<String> pids =
        all().stream()
            .filter(s -> s.group() == pgid && !s.name().equals(spared))
            .map(s -> Long.toString(s.pid()))
            .toList();
    if (pids.isEmpty()) {
      return false;
    }
    List<String> args = new ArrayList<>(List.of("-" + signal, "--"));
    args.addAll(pids);
    return kill(args.toArray(String[]::new));
  }

  private static boolean kill(String... args) {
    List<String> command = new ArrayList<>(List.of("kill"));
    command.addAll(List.of(args));
    try {
      Process kill =
          new ProcessBuilder(command)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!kill.waitFor(5, TimeUnit.SECONDS)) {
        kill.destroyForcibly();
        return false;
      }
      return kill.exitValue() == 0;
    } catch (IOException e) {
      log.warn("cannot run kill(1): {}", e.getMessage());
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The live (not zombie) processes whose process group is {@code pgid}. */
  static List<Long> members(long pgid) {
    return all().stream().filter(s -> s.group() == pgid).map(Stat::pid).toList();
  }

  /** Every live (not zombie) process. */
  static List<Stat> all() {
    List<Stat> all = new ArrayList<>();
    File[] entries = PROC.toFile().listFiles();
    if (entries == null) {
      return all;
    }
    for (File entry : entries) {
      String name = entry.getName();
      if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
        continue;
      }
      stat(Long.parseLong(name)).filter(Stat::running).ifPresent(all::add);
    }
    return all;
  }

  /** The resident memory of one process group, led by {@code group}; empty when it is gone. */
  static OptionalLong residentBytes(long group) {
    Long bytes = residentBytes(Set.of(group)).get(group);
    return bytes == null ? OptionalLong.empty() : OptionalLong.of(bytes);
  }

  /**
   * Resident memory of each process group among {@code groups}, in bytes, from one pass over {@code
   * /proc} ({@code statm}'s resident pages; shared pages count in each process, as Kubernetes'
   * RSS-based eviction counts them).
   */
  static Map<Long, Long> residentBytes(Set<Long> groups) {
    Map<Long, Long> bytes = new HashMap<>();
    for (Stat stat : all()) {
      if (groups.contains(stat.group())) {
        try {
          String[] statm =
              Files.readString(PROC.resolve(Long.toString(stat.pid())).resolve("statm")).split(" ");
          bytes.merge(stat.group(), Long.parseLong(statm[1].trim()) * PAGE_SIZE, Long::sum);
        } catch (IOException | RuntimeException gone) {
          // exited meanwhile
        }
      }
    }
    return bytes;
  }

  /**
   * CPU time used by each process group among {@code groups}, in clock ticks, from one pass over
   * {@code /proc}: user + system time of each live member, plus that of its children it has waited
   * for ({@code cutime}, {@code cstime}), so a gunicorn worker that exited still counts in its
   * master. Not monotonic by itself: a member that exits before its parent reaps it drops out.
   */
  static Map<Long, Long> cpuTicks(Set<Long> groups) {
    Map<Long, Long> ticks = new HashMap<>();
    File[] entries = PROC.toFile().listFiles();
    if (entries == null) {
      return ticks;
    }
    for (File entry : entries) {
      String name = entry.getName();
      if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
        continue;
      }
      try {
        String text = Files.readString(entry.toPath().resolve("stat"), StandardCharsets.UTF_8);
        String[] fields = text.substring(text.lastIndexOf(')') + 2).split(" ");
        long group = Long.parseLong(fields[2]);
        if (groups.contains(group)) {
          // fields[n - 3] is proc(5)'s field n: utime 14, stime 15, cutime 16, cstime 17
          long used =
              Long.parseLong(fields[11])
                  + Long.parseLong(fields[12])
                  + Long.parseLong(fields[13])
                  + Long.parseLong(fields[14]);
          ticks.merge(group, used, Long::sum);
        }
      } catch (IOException | RuntimeException gone) {
        // exited meanwhile
      }
    }
    return ticks;
  }

  /**
   * The kernel's clock ticks per second ({@code getconf CLK_TCK}; 100 on every usual Linux). Runs a
   * process: callers keep the answer.
   */
  static long clockTicksPerSecond() {
    try {
      Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(getconf.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      if (getconf.waitFor(5, TimeUnit.SECONDS) && getconf.exitValue() == 0) {
        long hz = Long.parseLong(out.strip());
        if (hz > 0) {
          return hz;
        }
      }
    } catch (IOException | NumberFormatException e) {
      log.debug("getconf CLK_TCK failed ({}); assuming 100", e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 100;
  }

  /** Whether {@code pid} exists and is not a zombie. */
  static boolean alive(long pid) {
    return stat(pid).filter(Stat::running).isPresent();
  }

  static Optional<Stat> stat(long pid) {
    try {
      String text =
          Files.readString(
              PROC.resolve(Long.toString(pid)).resolve("stat"), StandardCharsets.UTF_8);
      // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses; it ends at the last
      // ')'.
      String[] fields = text.substring(text.lastIndexOf(')') + 2).split(" ");
      return Optional.of(
          new Stat(
              pid,
              text.substring(text.indexOf('(') + 1, text.lastIndexOf(')')),
              fields[0].charAt(0),
              Long.parseLong(fields[1]),
              Long.parseLong(fields[2]),
              Long.parseLong(fields[3]),
              Long.parseLong(fields[19])));
    } catch (IOException | RuntimeException gone) {
      return Optional.empty();
    }
  }
}
