package dev.pylon.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Detection against fake /proc and /sys trees, and against this machine. */
class CgroupSupportTest {
  @TempDir Path root;

  private static final String V1_MOUNTS =
      """
      31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
      32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
      35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
      41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
      """;

  private static final String V1_MEMBERSHIP =
      """
      4:memory:/jobs/worker
      1:cpu:/
      0::/
      """;

  private CgroupSupport detect(String membership, String mounts) throws IOException {
    Path cgroup = Files.writeString(root.resolve("cgroup"), membership);
    Path mountinfo = Files.writeString(root.resolve("mountinfo"), mounts);
    return CgroupSupport.detect(cgroup, mountinfo, root);
  }

  private Path dir(String path, String... files) throws IOException {
    Path dir = Files.createDirectories(root.resolve(path));
    for (String file : files) {
      Files.writeString(dir.resolve(file), "");
    }
    return dir;
  }

  @Test
  void aWritableV1MemoryControllerIsUsedUnderOurOwnCgroupWhenV2HasNoMemory() throws Exception {
    dir("sys/fs/cgroup/unified", "cgroup.controllers");
    Files.writeString(root.resolve("sys/fs/cgroup/unified/cgroup.subtree_control"), "hugetlb\n");
    Path memory = dir("sys/fs/cgroup/memory/jobs/worker", "memory.limit_in_bytes");
    Path cpu = dir("sys/fs/cgroup/cpu", "cpu.cfs_quota_us");

    CgroupSupport support = detect(V1_MEMBERSHIP, V1_MOUNTS);

    assertThat(support.mode()).isEqualTo(CgroupSupport.Mode.V1);
    assertThat(support.memoryParent()).contains(memory);
    assertThat(support.cpuParent()).contains(cpu);
    assertThat(support.reason())
        .contains("the memory controller is not delegated to")
        .contains("(cgroup.subtree_control: hugetlb)")
        .contains("using the cgroup v1 memory controller at " + memory);
  }

  @Test
  void aDelegatedV2SubtreeIsPreferred() throws Exception {
    Path own = dir("sys/fs/cgroup/user.slice/pylon.service");
    Files.writeString(own.resolve("cgroup.subtree_control"), "cpu memory pids\n");

    CgroupSupport support =
        detect(
            "0::/user.slice/pylon.service\n",
            "30 1 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n");

    assertThat(support.mode()).isEqualTo(CgroupSupport.Mode.V2);
    assertThat(support.memoryParent()).contains(own);
    assertThat(support.cpuParent()).contains(own);
  }

  @Test
  void noUsableControllerIsNoneWithTheReasons() throws Exception {
    Path own = dir("sys/fs/cgroup/user.slice");
    Files.writeString(own.resolve("cgroup.subtree_control"), "");

    CgroupSupport support =
        detect("0::/user.slice\n", "30 1 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");

    assertThat(support.mode()).isEqualTo(CgroupSupport.Mode.NONE);
    assertThat(support.limitsMemory()).isFalse();
    assertThat(support.reason())
        .isEqualTo(
            "cgroup v2: the memory controller is not delegated to "
                + own
                + " (cgroup.subtree_control: empty); no cgroup v1 memory controller mounted");
  }

  @Test
  void aCgroupOutsideTheMountedRootIsNotUsable() throws Exception {
    dir("sys/fs/cgroup/memory", "memory.limit_in_bytes");
    CgroupSupport support =
        detect(
            "4:memory:/elsewhere\n",
            "35 31 0:32 /jobs /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n");
    assertThat(support.mode()).isEqualTo(CgroupSupport.Mode.NONE);
  }

  @Test
  void cgroupsLeftByAPylonThatIsGoneAreRemovedAndLiveOnesKept() throws Exception {
    Path parent = dir("parent");
    Path stray = dir("parent/pylon-999999999-rev-1-1");
    Path live = dir("parent/pylon-" + ProcessHandle.current().pid() + "-rev-1-1");
    Path foreign = dir("parent/someone-else");
    CgroupSupport support =
        new CgroupSupport(
            CgroupSupport.Mode.V1,
            java.util.Optional.of(parent),
            java.util.Optional.empty(),
            "test");

    InstanceCgroup.removeStrays(support);

    assertThat(stray).doesNotExist();
    assertThat(live).isDirectory();
    assertThat(foreign).isDirectory();
  }

  @Test
  void thisMachineAnswersConsistently() {
    CgroupSupport support = CgroupSupport.detect();
    assertThat(support.reason()).isNotBlank();
    assertThat(support.memoryParent().isPresent()).isEqualTo(support.limitsMemory());
    if (support.limitsMemory()) {
      assertThat(support.memoryParent().get()).isDirectory();
      try (var children = listNames(support.memoryParent().get())) {
        assertThat(children.filter(n -> n.startsWith("pylon-probe-")).toList())
            .as("the probe cgroup is removed again")
            .isEmpty();
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    }
  }

  private static java.util.stream.Stream<String> listNames(Path dir) throws IOException {
    return Files.list(dir).map(p -> p.getFileName().toString());
  }

  @Test
  void instanceCgroupsAreMadeWithTheirLimitsAndRemoved() throws Exception {
    CgroupSupport support = CgroupSupport.detect();
    org.junit.jupiter.api.Assumptions.assumeTrue(support.limitsMemory(), support.reason());

    InstanceCgroup cgroup =
        InstanceCgroup.create(support, "pylon-test-" + ProcessHandle.current().pid(), 64, 0.5);
    try {
      List<Path> dirs = cgroup.dirs();
      assertThat(dirs).isNotEmpty().allSatisfy(d -> assertThat(d).isDirectory());
      Path memory = dirs.getFirst();
      String limitFile =
          support.mode() == CgroupSupport.Mode.V2 ? "memory.max" : "memory.limit_in_bytes";
      assertThat(Files.readString(memory.resolve(limitFile)).strip())
          .isEqualTo(Long.toString(64L << 20));
      assertThat(cgroup.memoryKills()).isZero();
      assertThat(cgroup.joinCommand(List.of("true")))
          .startsWith("/bin/sh", "-c")
          .endsWith("--", "true");
    } finally {
      assertThat(cgroup.remove(java.time.Duration.ofSeconds(1))).isTrue();
    }
    assertThat(cgroup.dirs()).allSatisfy(d -> assertThat(d).doesNotExist());
  }

  @Test
  void anAdoptedInstanceIsFoundInTheCgroupItRunsIn() throws Exception {
    CgroupSupport support = CgroupSupport.detect();
    org.junit.jupiter.api.Assumptions.assumeTrue(support.limitsMemory(), support.reason());

    InstanceCgroup made =
        InstanceCgroup.create(support, "pylon-adopt-" + ProcessHandle.current().pid(), 48, 0.5);
    Process process = new ProcessBuilder(made.joinCommand(List.of("sleep", "30"))).start();
    try {
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
      java.util.Optional<InstanceCgroup> found = java.util.Optional.empty();
      while (found.isEmpty() && System.nanoTime() < deadline) {
        found = InstanceCgroup.holding(support, process.pid());
        Thread.sleep(20);
      }
      assertThat(found).as("the cgroup holding pid %d", process.pid()).isPresent();
      assertThat(found.get().dirs()).containsExactlyInAnyOrderElementsOf(made.dirs());
      assertThat(found.get().memoryLimitMiB()).isEqualTo(48);
      assertThat(found.get().memoryKills()).isZero();
      assertThat(InstanceCgroup.holding(support, ProcessHandle.current().pid())).isEmpty();
    } finally {
      process.destroyForcibly().waitFor();
      assertThat(made.remove(java.time.Duration.ofSeconds(5))).isTrue();
    }
  }
}
