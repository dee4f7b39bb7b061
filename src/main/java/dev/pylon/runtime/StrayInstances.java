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
    long owner = ProcessHandle.current().pid();
    long ownerStart = ProcessGroups.stat(owner).map(ProcessGroups.Stat::startTime).orElse(-1L);
    try {
      Files.createDirectories(runDir);
      Files.writeString(
          file(runDir, instance, pid),
          pid + " " + stat.get().startTime() + " " + owner + " " + ownerStart + "\n",
          StandardCharsets.UTF_8);
    } catch (IOException e) {
      log.warn("cannot write the pid file of {} in {}: {}", instance, runDir, e.getMessage());
    }
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
    if (pid == ProcessHandle.current().pid()) {
      return false; // ours: a Pylon ends strays before it starts instances, as it always did
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
        if (fields.length >= 4 && ownerRuns(Long.parseLong(fields[2]), Long.parseLong(fields[3]))) {
          continue; // another Pylon's, running: its instances are not strays
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
