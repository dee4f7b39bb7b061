package dev.pylon.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pid files of running instances, so that a Pylon that was killed (SIGKILL, OOM, power cut of its
 * terminal) can end what its instances left behind when it starts again. The parent-death signal
 * ends each instance's leader with Pylon; this ends the rest of its session (processes the app
 * forked). A file holds the pid and the process's start time, so a pid reused by an unrelated
 * process is never signalled, and the owning Pylon's pid and start time: another Pylon running on
 * the same state directory leaves the instances of a live owner alone (only those whose owner is
 * gone, or whose owner's pid now belongs to another process, are strays). A file without an owner
 * (written by an older Pylon) counts as a stray's.
 */
public final class StrayInstances {
  private static final Logger log = LoggerFactory.getLogger(StrayInstances.class);
  private static final String SUFFIX = ".pid";

  private StrayInstances() {}

  static void record(Path runDir, String instance, long pid) {
    Optional<ProcessGroups.Stat> stat = ProcessGroups.stat(pid);
    if (stat.isEmpty()) {
      return; // already gone
    }
    write(runDir, instance, pid, stat.get().startTime(), true, "");
  }

  /**
   * The pid file of an instance under a shim ({@link ShimInstance}): the instance's pid and start
   * time, its owner (this Pylon), then its record folder, port, and the shim's pid and start time,
   * which is what a successor needs to adopt it ({@link #adoptable}).
   */
  static void recordSupervised(Path runDir, Supervised instance) {
    write(
        runDir, instance.instance(), instance.pid(), instance.startTime(), true, instance.fields());
  }

  /**
   * Rewrites the pid file of {@code instance} with no owner (handed to a successor) or with this
   * Pylon as its owner (adopted).
   */
  static void setOwner(Path runDir, Supervised instance, boolean ours) {
    write(
        runDir, instance.instance(), instance.pid(), instance.startTime(), ours, instance.fields());
  }

  private static void write(
      Path runDir, String instance, long pid, long startTime, boolean ours, String extra) {
    long owner = ours ? ProcessHandle.current().pid() : 0;
    long ownerStart =
        ours ? ProcessGroups.stat(owner).map(ProcessGroups.Stat::startTime).orElse(-1L) : 0;
    Path file = file(runDir, instance, pid);
    try {
      Files.createDirectories(runDir);
      Path temp = runDir.resolve("." + file.getFileName() + ".tmp");
      Files.writeString(
          temp,
          pid + " " + startTime + " " + owner + " " + ownerStart + extra + "\n",
          StandardCharsets.UTF_8);
      Files.move(temp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      log.warn("cannot write the pid file of {} in {}: {}", instance, runDir, e.getMessage());
    }
  }

  /**
   * What a shim-supervised instance's pid file says: enough to adopt it.
   *
   * @param folder its record folder's name, in the run directory
   */
  record Supervised(
      String instance,
      long pid,
      long startTime,
      String folder,
      int port,
      long shimPid,
      long shimStart) {
    String fields() {
      return " " + folder + " " + port + " " + shimPid + " " + shimStart;
    }
  }

  /**
   * The instances in {@code runDir} named {@code <revision>-<n>} that run under a shim, whose owner
   * is gone or handed them over (and is not this Pylon), and whose process is still the one
   * recorded: what this Pylon may adopt. Keyed by instance name.
   */
  static java.util.Map<String, Supervised> adoptable(Path runDir, String revision) {
    java.util.Map<String, Supervised> found = new java.util.HashMap<>();
    if (!Files.isDirectory(runDir)) {
      return found;
    }
    long us = ProcessHandle.current().pid();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(runDir, "*" + SUFFIX)) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        String instance = name.substring(0, name.lastIndexOf('-'));
        if (!instance.startsWith(revision + "-")
            || !instance.substring(revision.length() + 1).matches("[0-9]+")) {
          continue;
        }
        String[] f = Files.readString(file, StandardCharsets.UTF_8).trim().split(" ");
        if (f.length < 8) {
          continue; // not under a shim: it cannot be adopted
        }
        long owner = Long.parseLong(f[2]);
        if (owner == us || ownerRuns(owner, Long.parseLong(f[3]))) {
          continue;
        }
        Supervised s =
            new Supervised(
                instance,
                Long.parseLong(f[0]),
                Long.parseLong(f[1]),
                f[4],
                Integer.parseInt(f[5]),
                Long.parseLong(f[6]),
                Long.parseLong(f[7]));
        boolean same =
            ProcessGroups.stat(s.pid())
                    .filter(ProcessGroups.Stat::running)
                    .filter(st -> st.startTime() == s.startTime())
                    .isPresent()
                && ProcessGroups.stat(s.shimPid())
                    .filter(ProcessGroups.Stat::running)
                    .filter(st -> st.startTime() == s.shimStart())
                    .isPresent();
        if (same) {
          found.put(instance, s);
        }
      }
    } catch (IOException | RuntimeException e) {
      log.warn("cannot read the pid files in {}: {}", runDir, e.getMessage());
    }
    return found;
  }

  static void forget(Path runDir, String instance, long pid) {
    try {
      Files.deleteIfExists(file(runDir, instance, pid));
    } catch (IOException e) {
      log.warn("cannot delete the pid file of {} in {}: {}", instance, runDir, e.getMessage());
    }
  }

  private static Path file(Path runDir, String instance, long pid) {
    return runDir.resolve(instance + "-" + pid + SUFFIX);
  }

  /** Whether the process {@code pid} started at {@code startTime} still runs (and is not us). */
  static boolean ownerRuns(long pid, long startTime) {
    return ownerRuns(pid, startTime, false);
  }

  private static boolean ownerRuns(long pid, long startTime, boolean spareOurs) {
    if (pid == ProcessHandle.current().pid()) {
      // ours: a Pylon ends strays before it starts instances, as it always did; one that adopts
      // ends them after, and spares what it adopted
      return spareOurs;
    }
    return ProcessGroups.stat(pid)
        .filter(ProcessGroups.Stat::running)
        .filter(s -> s.startTime() == startTime)
        .isPresent();
  }

  /**
   * Sends SIGKILL to every process left from the instances recorded in {@code runDir} whose owning
   * Pylon is gone, waits (briefly) until they are gone, and deletes their pid files. Returns one
   * line per instance that still had processes, e.g. {@code "rev-1: pid 4242 and 1 other process"}.
   */
  public static List<String> endAll(Path runDir) {
    return endAll(runDir, false);
  }

  /**
   * {@link #endAll} for a Pylon that adopts instances: those this Pylon owns now (adopted, or
   * started) are spared; what nobody adopted (a revision no longer wanted, a count that shrank, an
   * instance without a shim) is ended, and its record folder deleted.
   */
  public static List<String> endAbandoned(Path runDir) {
    return endAll(runDir, true);
  }

  private static List<String> endAll(Path runDir, boolean spareOurs) {
    List<String> ended = new ArrayList<>();
    if (!Files.isDirectory(runDir)) {
      return ended;
    }
    List<Long> sessions = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(runDir, "*" + SUFFIX)) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        String instance = name.substring(0, name.lastIndexOf('-'));
        String[] fields = Files.readString(file, StandardCharsets.UTF_8).trim().split(" ");
        long pid = Long.parseLong(fields[0]);
        long startTime = Long.parseLong(fields[1]);
        if (fields.length >= 4
            && ownerRuns(Long.parseLong(fields[2]), Long.parseLong(fields[3]), spareOurs)) {
          continue; // another Pylon's, running: its instances are not strays
        }
        if (fields.length >= 8) {
          // under a shim: the shim is not in the instance's session; it exits once the instance
          // does, and its folder (output, exit status) goes with the record
          ShimInstance.deleteFolder(runDir.resolve(fields[4]));
        }
        Optional<ProcessGroups.Stat> leader =
            ProcessGroups.stat(pid).filter(ProcessGroups.Stat::running);
        boolean leaderIsOurs = leader.isPresent() && leader.get().startTime() == startTime;
        // With the leader gone, what is left of its session still carries the session id.
        List<ProcessGroups.Stat> session =
            ProcessGroups.all().stream()
                .filter(s -> s.session() == pid && (leaderIsOurs || s.pid() != pid))
                .toList();
        if (!session.isEmpty()) {
          for (ProcessGroups.Stat stat : session) {
            if (!ProcessGroups.signalGroup(stat.group(), "KILL")) {
              ProcessHandle.of(stat.pid()).ifPresent(ProcessHandle::destroyForcibly);
            }
          }
          sessions.add(pid);
          ended.add(
              instance
                  + ": "
                  + (session.size() == 1
                      ? "pid " + session.getFirst().pid()
                      : "pids " + session.stream().map(ProcessGroups.Stat::pid).toList()));
        }
        Files.deleteIfExists(file);
      }
    } catch (IOException | RuntimeException e) {
      log.warn("cannot read the pid files in {}: {}", runDir, e.getMessage());
    }
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (System.nanoTime() < deadline
        && ProcessGroups.all().stream().anyMatch(s -> sessions.contains(s.session()))) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return ended;
  }
}
