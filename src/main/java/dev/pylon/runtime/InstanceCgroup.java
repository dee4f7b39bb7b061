package dev.pylon.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cgroup(s) of one instance process: made before it starts, joined by the process itself before
 * it runs the app ({@link #joinCommand}), read to learn whether the kernel killed something in it
 * for memory, and removed once it is gone. Under v1 the memory and CPU controllers are separate
 * hierarchies, so there may be two directories.
 */
final class InstanceCgroup {
  private static final Logger log = LoggerFactory.getLogger(InstanceCgroup.class);
  private static final long CPU_PERIOD_US = 100_000;

  /**
   * A shell step that writes its own pid into each file given before {@code --}, then becomes the
   * rest of the command (exec keeps the pid, so the app starts inside the cgroup).
   */
  private static final String JOIN_SCRIPT =
      "while [ \"$1\" != -- ]; do echo $$ > \"$1\" || exit 125; shift; done; shift; exec \"$@\"";

  private final CgroupSupport.Mode mode;
  private final long memoryLimitMiB;
  private final List<Path> dirs;
  private final Optional<Path> memoryDir;

  private InstanceCgroup(
      CgroupSupport.Mode mode, long memoryLimitMiB, List<Path> dirs, Optional<Path> memoryDir) {
    this.mode = mode;
    this.memoryLimitMiB = memoryLimitMiB;
    this.dirs = List.copyOf(dirs);
    this.memoryDir = memoryDir;
  }

  /**
   * Makes the cgroup(s) named {@code name} with the given limits ({@code memoryLimitMiB} 0: none;
   * {@code cpus} 0: none). Whatever was made is removed again if a step fails.
   */
  static InstanceCgroup create(CgroupSupport support, String name, long memoryLimitMiB, double cpus)
      throws IOException {
    List<Path> made = new ArrayList<>();
    Optional<Path> memoryDir = Optional.empty();
    try {
      if (support.mode() == CgroupSupport.Mode.V2) {
        Path dir = make(support.memoryParent().orElseThrow().resolve(name), made);
        if (memoryLimitMiB > 0) {
          memoryDir = Optional.of(dir);
          write(dir.resolve("memory.max"), Long.toString(memoryLimitMiB << 20));
          writeIfPresent(dir.resolve("memory.swap.max"), "0");
          writeIfPresent(dir.resolve("memory.oom.group"), "1"); // the whole instance, as k8s
        }
        if (cpus > 0 && support.limitsCpu()) {
          write(dir.resolve("cpu.max"), quota(cpus) + " " + CPU_PERIOD_US);
        }
      } else if (support.mode() == CgroupSupport.Mode.V1) {
        if (memoryLimitMiB > 0) {
          Path dir = make(support.memoryParent().orElseThrow().resolve(name), made);
          memoryDir = Optional.of(dir);
          String bytes = Long.toString(memoryLimitMiB << 20);
          write(dir.resolve("memory.limit_in_bytes"), bytes);
          // memory + swap: without it the kernel swaps the instance out instead of killing it
          writeIfPresent(dir.resolve("memory.memsw.limit_in_bytes"), bytes);
        }
        if (cpus > 0 && support.limitsCpu()) {
          Path dir = make(support.cpuParent().orElseThrow().resolve(name), made);
          write(dir.resolve("cpu.cfs_period_us"), Long.toString(CPU_PERIOD_US));
          write(dir.resolve("cpu.cfs_quota_us"), Long.toString(quota(cpus)));
        }
      } else {
        throw new IOException("no cgroup can be made: " + support.reason());
      }
    } catch (IOException | RuntimeException e) {
      removeAll(made);
      throw e;
    }
    return new InstanceCgroup(support.mode(), memoryLimitMiB, made, memoryDir);
  }

  /**
   * The cgroup(s) an earlier Pylon made for the instance led by {@code pid}, now adopted: the
   * {@code pylon-*} children of the memory and CPU parents that hold it, with the memory limit they
   * enforce. Empty when it runs in none (the memory watch then covers it).
   */
  static Optional<InstanceCgroup> holding(CgroupSupport support, long pid) {
    if (support.mode() == CgroupSupport.Mode.NONE) {
      return Optional.empty();
    }
    List<Path> parents = new ArrayList<>();
    support.memoryParent().ifPresent(parents::add);
    support.cpuParent().filter(p -> !parents.contains(p)).ifPresent(parents::add);
    List<Path> dirs = new ArrayList<>();
    Optional<Path> memoryDir = Optional.empty();
    long limitMiB = 0;
    String member = Long.toString(pid);
    for (Path parent : parents) {
      try (var children = Files.list(parent)) {
        for (Path child :
            children.filter(c -> c.getFileName().toString().startsWith("pylon-")).toList()) {
          if (!Files.readAllLines(child.resolve("cgroup.procs"), StandardCharsets.UTF_8)
              .contains(member)) {
            continue;
          }
          dirs.add(child);
          if (parent.equals(support.memoryParent().orElse(null))) {
            Path limit =
                child.resolve(
                    support.mode() == CgroupSupport.Mode.V2
                        ? "memory.max"
                        : "memory.limit_in_bytes");
            String text = Files.exists(limit) ? Files.readString(limit).trim() : "max";
            // v1 shows "no limit" as a page-rounded LONG_MAX
            if (text.matches("[0-9]+") && text.length() < 16) {
              limitMiB = Long.parseLong(text) >> 20;
              memoryDir = Optional.of(child);
            }
          }
        }
      } catch (IOException | RuntimeException e) {
        log.debug("cannot look for the cgroup of pid {} in {}: {}", pid, parent, e.toString());
      }
    }
    return dirs.isEmpty()
        ? Optional.empty()
        : Optional.of(new InstanceCgroup(support.mode(), limitMiB, dirs, memoryDir));
  }

  /** {@code command} preceded by the step that puts the process into this cgroup. */
  List<String> joinCommand(List<String> command) {
    List<String> joined = new ArrayList<>(List.of("/bin/sh", "-c", JOIN_SCRIPT, "pylon-cgroup"));
    procsFiles().forEach(file -> joined.add(file.toString()));
    joined.add("--");
    joined.addAll(command);
    return joined;
  }

  /**
   * The files a process writes its own pid into to join this cgroup (one per hierarchy), for a
   * process that is not started through {@link #joinCommand} (a fork of a zygote).
   */
  List<Path> procsFiles() {
    return dirs.stream().map(dir -> dir.resolve("cgroup.procs")).toList();
  }

  /** How many processes the kernel killed in this cgroup for going over its memory limit. */
  long memoryKills() {
    if (memoryDir.isEmpty()) {
      return 0;
    }
    Path dir = memoryDir.get();
    Path file = dir.resolve(mode == CgroupSupport.Mode.V2 ? "memory.events" : "memory.oom_control");
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (line.startsWith("oom_kill ")) {
          return Long.parseLong(line.substring("oom_kill ".length()).strip());
        }
      }
      // A v1 kernel without the oom_kill count (before 4.13): under_oom is the best we have.
      return Files.readAllLines(file, StandardCharsets.UTF_8).contains("under_oom 1") ? 1 : 0;
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
  }

  /**
   * CPU time every process that ever ran in this cgroup used, in seconds: {@code cpu.stat}'s {@code
   * usage_usec} under v2 (always there), {@code cpuacct.usage} under v1 (only where the cgroup has
   * the cpuacct controller). Empty when neither can be read.
   */
  OptionalDouble cpuSeconds() {
    for (Path dir : dirs) {
      try {
        if (mode == CgroupSupport.Mode.V2) {
          for (String line : Files.readAllLines(dir.resolve("cpu.stat"), StandardCharsets.UTF_8)) {
            if (line.startsWith("usage_usec ")) {
              return OptionalDouble.of(
                  Long.parseLong(line.substring("usage_usec ".length()).strip()) / 1e6);
            }
          }
        } else {
          Path usage = dir.resolve("cpuacct.usage");
          if (Files.exists(usage)) {
            return OptionalDouble.of(
                Long.parseLong(Files.readString(usage, StandardCharsets.US_ASCII).strip()) / 1e9);
          }
        }
      } catch (IOException | NumberFormatException e) {
        // not readable here: the caller counts the process group instead
      }
    }
    return OptionalDouble.empty();
  }

  long memoryLimitMiB() {
    return memoryLimitMiB;
  }

  List<Path> dirs() {
    return dirs;
  }

  /**
   * Removes the cgroup(s), waiting up to {@code timeout} for the kernel to let go of processes that
   * have just exited. Returns whether all are gone; logs what is left.
   */
  boolean remove(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<Path> left = removeAll(dirs);
      if (left.isEmpty()) {
        return true;
      }
      if (System.nanoTime() >= deadline) {
        log.warn("cgroups still in use, not removed: {}", left);
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

  private static List<Path> removeAll(List<Path> dirs) {
    List<Path> left = new ArrayList<>();
    for (Path dir : dirs) {
      try {
        Files.delete(dir); // rmdir; a cgroup's control files are not real files
      } catch (NoSuchFileException gone) {
        // removed already
      } catch (IOException busy) {
        left.add(dir); // EBUSY while a process is still in it
      }
    }
    return left;
  }

  /**
   * Removes the cgroups a Pylon that is no longer running left behind ({@code pylon-<pid>-...} with
   * no live {@code <pid>}); the kernel refuses to remove one that still has processes in it.
   */
  static void removeStrays(CgroupSupport support) {
    List<Path> parents = new ArrayList<>();
    support.memoryParent().ifPresent(parents::add);
    support.cpuParent().filter(p -> !parents.contains(p)).ifPresent(parents::add);
    for (Path parent : parents) {
      try (var children = Files.list(parent)) {
        List<Path> strays =
            children
                .filter(Files::isDirectory)
                .filter(child -> strayOwner(child.getFileName().toString()))
                .toList();
        if (!removeAll(strays).isEmpty()) {
          log.debug("stray cgroups still hold processes in {}", parent);
        }
      } catch (IOException e) {
        log.debug("cannot look for stray cgroups in {}: {}", parent, e.getMessage());
      }
    }
  }

  private static boolean strayOwner(String name) {
    String[] parts = name.split("-", 3);
    if (parts.length < 3 || !parts[0].equals("pylon")) {
      return false;
    }
    try {
      long pid = Long.parseLong(parts[1]);
      return ProcessHandle.of(pid).isEmpty();
    } catch (NumberFormatException e) {
      return false; // e.g. pylon-probe-<pid>, removed by whoever made it
    }
  }

  private static long quota(double cpus) {
    return Math.max(1000, Math.round(cpus * CPU_PERIOD_US));
  }

  private static Path make(Path dir, List<Path> made) throws IOException {
    Files.createDirectory(dir);
    made.add(dir);
    return dir;
  }

  private static void write(Path file, String value) throws IOException {
    Files.writeString(file, value, StandardCharsets.US_ASCII);
  }

  private static void writeIfPresent(Path file, String value) {
    if (Files.exists(file)) {
      try {
        write(file, value);
      } catch (IOException e) {
        log.debug("could not write {} to {}: {}", value, file, e.getMessage());
      }
    }
  }
}
