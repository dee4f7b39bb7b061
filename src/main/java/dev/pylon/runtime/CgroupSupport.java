package dev.pylon.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Whether Pylon can give each instance a cgroup of its own (under the cgroup Pylon itself runs in)
 * for a memory and CPU limit, and why or why not. Version 2 is used where Pylon's own cgroup has
 * the memory controller delegated (listed in its {@code cgroup.subtree_control}); otherwise version
 * 1, where the memory controller is mounted and Pylon may make a child cgroup in it. Found by
 * {@link #detect()}, which tries to make (and at once removes) an empty child cgroup to be sure.
 *
 * @param mode which cgroup version limits memory, or NONE
 * @param memoryParent the directory instance cgroups are made in for memory (v2: for every
 *     controller)
 * @param cpuParent the directory instance cgroups are made in for CPU, if CPU can be limited
 * @param reason what was found, in words for a user: why this mode, and what was not usable
 */
public record CgroupSupport(
    Mode mode, Optional<Path> memoryParent, Optional<Path> cpuParent, String reason) {
  public enum Mode {
    /** The unified hierarchy: memory.max, memory.events, cpu.max. */
    V2,
    /** The v1 memory controller: memory.limit_in_bytes, memory.oom_control; cpu.cfs_quota_us. */
    V1,
    /** No cgroup can be made: limits are watched through resident memory instead. */
    NONE
  }

  /** What this process's cgroups allow. */
  public static CgroupSupport detect() {
    return detect(Path.of("/proc/self/cgroup"), Path.of("/proc/self/mountinfo"), Path.of("/"));
  }

  /**
   * Detection from the given {@code /proc/self/cgroup} and {@code /proc/self/mountinfo}, with mount
   * points resolved under {@code root} (a test's fake file system; "/" for the real one).
   */
  static CgroupSupport detect(Path cgroupFile, Path mountinfoFile, Path root) {
    List<String> membership;
    List<Mount> mounts;
    try {
      membership = Files.readAllLines(cgroupFile, StandardCharsets.UTF_8);
      mounts = Mount.parse(Files.readAllLines(mountinfoFile, StandardCharsets.UTF_8));
    } catch (IOException e) {
      return none("cannot read " + cgroupFile + " or " + mountinfoFile + ": " + e.getMessage());
    }
    List<String> notes = new ArrayList<>();
    Optional<Path> v2 = v2Dir(membership, mounts, root);
    if (v2.isEmpty()) {
      notes.add("no cgroup v2 hierarchy");
    } else {
      Path dir = v2.get();
      List<String> delegated = words(dir.resolve("cgroup.subtree_control"));
      if (!delegated.contains("memory")) {
        // Pylon does not move itself into a leaf cgroup to enable the controller for children
        // (what container runtimes do): it leaves its own cgroup as it found it.
        notes.add(
            "cgroup v2: the memory controller is not delegated to "
                + dir
                + " (cgroup.subtree_control: "
                + (delegated.isEmpty() ? "empty" : String.join(" ", delegated))
                + ")");
      } else {
        Optional<String> cannot = canMakeChild(dir);
        if (cannot.isPresent()) {
          notes.add("cgroup v2: " + cannot.get());
        } else {
          boolean cpu = delegated.contains("cpu");
          return new CgroupSupport(
              Mode.V2,
              v2,
              cpu ? v2 : Optional.empty(),
              "cgroup v2 with the memory controller delegated to "
                  + dir
                  + (cpu ? " (and cpu)" : " (cpu not delegated: no CPU limit)"));
        }
      }
    }
    Optional<Path> memory = v1Dir("memory", membership, mounts, root);
    if (memory.isEmpty()) {
      notes.add("no cgroup v1 memory controller mounted");
      return none(String.join("; ", notes));
    }
    if (!Files.exists(memory.get().resolve("memory.limit_in_bytes"))) {
      notes.add("cgroup v1: no memory.limit_in_bytes in " + memory.get());
      return none(String.join("; ", notes));
    }
    Optional<String> cannot = canMakeChild(memory.get());
    if (cannot.isPresent()) {
      notes.add("cgroup v1: " + cannot.get());
      return none(String.join("; ", notes));
    }
    Optional<Path> cpu =
        v1Dir("cpu", membership, mounts, root)
            .filter(dir -> Files.exists(dir.resolve("cpu.cfs_quota_us")))
            .filter(dir -> canMakeChild(dir).isEmpty());
    notes.add(
        "using the cgroup v1 memory controller at "
            + memory.get()
            + (cpu.isPresent() ? " and the cpu controller at " + cpu.get() : " (no CPU limit)"));
    return new CgroupSupport(Mode.V1, memory, cpu, String.join("; ", notes));
  }

  private static CgroupSupport none(String reason) {
    return new CgroupSupport(Mode.NONE, Optional.empty(), Optional.empty(), reason);
  }

  /** Whether a memory limit can be enforced with cgroups. */
  public boolean limitsMemory() {
    return mode != Mode.NONE;
  }

  /** Whether a CPU limit can be enforced with cgroups. */
  public boolean limitsCpu() {
    return cpuParent.isPresent();
  }

  private static Optional<Path> v2Dir(List<String> membership, List<Mount> mounts, Path root) {
    for (String line : membership) {
      if (line.startsWith("0::")) {
        String path = line.substring(3);
        for (Mount mount : mounts) {
          if (mount.type().equals("cgroup2")) {
            return mount.resolve(path, root);
          }
        }
      }
    }
    return Optional.empty();
  }

  private static Optional<Path> v1Dir(
      String controller, List<String> membership, List<Mount> mounts, Path root) {
    for (String line : membership) {
      String[] parts = line.split(":", 3);
      if (parts.length == 3 && Arrays.asList(parts[1].split(",")).contains(controller)) {
        for (Mount mount : mounts) {
          if (mount.type().equals("cgroup") && mount.superOptions().contains(controller)) {
            return mount.resolve(parts[2], root);
          }
        }
      }
    }
    return Optional.empty();
  }

  /** Empty if a child cgroup could be made (and removed again) in {@code dir}; else why not. */
  private static Optional<String> canMakeChild(Path dir) {
    Path probe = dir.resolve("pylon-probe-" + ProcessHandle.current().pid());
    try {
      Files.createDirectory(probe);
      Files.delete(probe);
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of(
          "cannot make a cgroup in " + dir + " (" + e.getClass().getSimpleName() + ")");
    }
  }

  private static List<String> words(Path file) {
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8).strip();
      return text.isEmpty() ? List.of() : List.of(text.split("\\s+"));
    } catch (IOException e) {
      return List.of();
    }
  }

  /** One line of mountinfo: the mount's root inside its file system, where, type, options. */
  private record Mount(
      String mountRoot, String mountPoint, String type, List<String> superOptions) {
    static List<Mount> parse(List<String> lines) {
      List<Mount> mounts = new ArrayList<>();
      for (String line : lines) {
        String[] fields = line.split(" ");
        int dash = Arrays.asList(fields).indexOf("-");
        if (dash < 5 || fields.length < dash + 4) {
          continue;
        }
        mounts.add(
            new Mount(
                unescape(fields[3]),
                unescape(fields[4]),
                fields[dash + 1],
                List.of(fields[dash + 3].split(","))));
      }
      return mounts;
    }

    /** Where cgroup {@code path} (as /proc/self/cgroup names it) is under this mount. */
    Optional<Path> resolve(String path, Path root) {
      String relative;
      if (mountRoot.equals("/")) {
        relative = path;
      } else if (path.equals(mountRoot) || path.startsWith(mountRoot + "/")) {
        relative = path.substring(mountRoot.length());
      } else {
        return Optional.empty(); // our cgroup is outside what is mounted (another namespace)
      }
      Path dir = root.resolve(mountPoint.substring(1));
      for (String part : relative.split("/")) {
        if (!part.isEmpty()) {
          dir = dir.resolve(part);
        }
      }
      return Files.isDirectory(dir) ? Optional.of(dir) : Optional.empty();
    }

    private static String unescape(String field) {
      return field.replace("\\040", " ").replace("\\011", "\t").replace("\\134", "\\");
    }
  }
}
