package dev.pylon.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pylon.runtime.InstanceEvent.Kind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each instance process runs inside a cgroup of its own that carries its limits. */
class InstanceLimitsTest {
  @TempDir Path dir;
  private final RecordingListener listener = new RecordingListener();
  private InstanceSet set;

  @AfterEach
  void tearDown() {
    if (set != null) {
      set.close();
    }
  }

  @Test
  void anInstanceProcessIsInItsOwnCgroupWithItsMemoryAndCpuLimits() throws Exception {
    CgroupSupport cgroups = CgroupSupport.detect();
    Assumptions.assumeTrue(cgroups.limitsMemory(), cgroups.reason());
    set =
        new InstanceSet(
            new InstanceTemplate(
                "svc",
                "rev",
                List.of("python3", "-m", "http.server", "--bind", "127.0.0.1", "$PORT"),
                Map.of(),
                dir),
            1,
            listener,
            MisbehavingAppsTest.fast().withMemoryLimitMiB(64).withCpuLimit(0.25));
    set.start();
    listener.awaitReady(list -> list.size() == 1);
    long pid = set.instances().getFirst().pid();
    String prefix = "pylon-" + ProcessHandle.current().pid() + "-rev-1-1-";

    List<String> membership = Files.readAllLines(Path.of("/proc/" + pid + "/cgroup"));
    String line =
        membership.stream().filter(l -> l.contains("/" + prefix)).findFirst().orElseThrow();
    String name = line.substring(line.lastIndexOf('/') + 1);
    Path memory = cgroups.memoryParent().get().resolve(name);
    if (cgroups.mode() == CgroupSupport.Mode.V1) {
      assertThat(Files.readString(memory.resolve("memory.limit_in_bytes")).strip())
          .isEqualTo(Long.toString(64L << 20));
    } else {
      assertThat(Files.readString(memory.resolve("memory.max")).strip())
          .isEqualTo(Long.toString(64L << 20));
    }
    if (cgroups.limitsCpu()) {
      Path cpu = cgroups.cpuParent().get().resolve(name);
      if (cgroups.mode() == CgroupSupport.Mode.V1) {
        assertThat(Files.readString(cpu.resolve("cpu.cfs_quota_us")).strip()).isEqualTo("25000");
      } else {
        assertThat(Files.readString(cpu.resolve("cpu.max")).strip()).isEqualTo("25000 100000");
      }
    }
    assertThat(listener.events()).noneMatch(e -> e.kind() == Kind.WARNING);

    set.stop(Duration.ofSeconds(5));
    assertThat(memory).doesNotExist();
    if (cgroups.limitsCpu()) {
      assertThat(cgroups.cpuParent().get().resolve(name)).doesNotExist();
    }
  }

  @Test
  void aBusyInstanceIsThrottledToItsCpuLimit() throws Exception {
    CgroupSupport cgroups = CgroupSupport.detect();
    Assumptions.assumeTrue(cgroups.limitsCpu(), cgroups.reason());
    String busy =
        """
        import http.server, os, threading
        def spin():
            while True:
                pass
        threading.Thread(target=spin, daemon=True).start()
        http.server.HTTPServer(("127.0.0.1", int(os.environ["PORT"])),
                               http.server.BaseHTTPRequestHandler).serve_forever()
        """;
    set =
        new InstanceSet(
            new InstanceTemplate("svc", "rev", List.of("python3", "-c", busy), Map.of(), dir),
            1,
            listener,
            MisbehavingAppsTest.fast().withCpuLimit(0.1));
    set.start();
    listener.awaitReady(list -> list.size() == 1);
    Path stat = onlyCgroup(cgroups.cpuParent().get(), "rev-1-1").resolve("cpu.stat");

    long deadline = System.nanoTime() + MisbehavingAppsTest.WAIT.toNanos();
    long throttled = 0;
    while (throttled == 0 && System.nanoTime() < deadline) {
      Thread.sleep(100);
      for (String line : Files.readAllLines(stat)) {
        if (line.startsWith("nr_throttled ")) {
          throttled = Long.parseLong(line.substring("nr_throttled ".length()).strip());
        }
      }
    }
    assertThat(throttled).as("periods in which the kernel held the instance back").isPositive();
    assertThat(set.cpuSeconds()).as("CPU the cgroup (or the group) accounted").isPositive();
  }

  @Test
  void aRevisionStartedAgainWhileItsOldInstancesDrainGetsCgroupsOfItsOwn() throws Exception {
    CgroupSupport cgroups = CgroupSupport.detect();
    Assumptions.assumeTrue(cgroups.limitsMemory(), cgroups.reason());
    InstanceTemplate template =
        new InstanceTemplate(
            "svc",
            "rev",
            List.of("python3", "-m", "http.server", "--bind", "127.0.0.1", "$PORT"),
            Map.of(),
            dir);
    RecordingListener oldListener = new RecordingListener();
    try (InstanceSet old =
        new InstanceSet(
            template, 1, oldListener, MisbehavingAppsTest.fast().withMemoryLimitMiB(64))) {
      old.start();
      oldListener.awaitReady(list -> list.size() == 1);
      set =
          new InstanceSet(template, 1, listener, MisbehavingAppsTest.fast().withMemoryLimitMiB(64));
      set.start();
      listener.awaitReady(list -> list.size() == 1);

      String prefix = "pylon-" + ProcessHandle.current().pid() + "-rev-1-1-";
      try (var children = Files.list(cgroups.memoryParent().get())) {
        assertThat(children.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix)))
            .hasSize(2);
      }
      assertThat(listener.events()).noneMatch(e -> e.kind() == Kind.WARNING);
    }
  }

  private static Path onlyCgroup(Path parent, String instanceAndAttempt) throws Exception {
    String prefix = "pylon-" + ProcessHandle.current().pid() + "-" + instanceAndAttempt + "-";
    try (var children = Files.list(parent)) {
      return children
          .filter(p -> p.getFileName().toString().startsWith(prefix))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no cgroup " + prefix + "* in " + parent));
    }
  }

  @Test
  void withoutCgroupsACpuLimitIsSaidToBeUnenforcedOnce() throws Exception {
    set =
        new InstanceSet(
            new InstanceTemplate(
                "svc",
                "rev",
                List.of("python3", "-m", "http.server", "--bind", "127.0.0.1", "$PORT"),
                Map.of(),
                dir),
            2,
            listener,
            MisbehavingAppsTest.fast().withCpuLimit(0.5).withCgroups(false));
    set.start();
    listener.awaitReady(list -> list.size() == 2);
    assertThat(listener.events())
        .filteredOn(e -> e.kind() == Kind.WARNING)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.instance()).isEqualTo("rev");
              assertThat(e.detail())
                  .isEqualTo(
                      "no cgroup can be made (cgroups are turned off): the CPU limit of 0.5 cores"
                          + " is not enforced");
            });
  }
}
