package dev.pylon.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-instance shim ({@code pylon_shim.py}) with real processes: it reports the instance's exit
 * status and its lines, passes a signal sent to it on to the instance, and an instance handed over
 * by one launcher is adopted by the next, its output followed on from where the first stopped.
 */
class ShimInstanceTest {
  @TempDir Path dir;

  private SupervisorOptions options() {
    return SupervisorOptions.defaults().withRunDir(dir.resolve("run")).withShim(true);
  }

  private LaunchRequest request(String instance, String script) {
    return new LaunchRequest(
        instance,
        1,
        List.of("python3", "-u", "-c", script),
        Map.of("PATH", System.getenv("PATH")),
        0,
        dir,
        0,
        0);
  }

  @Test
  void reportsTheExitStatusAndEveryLine() throws Exception {
    List<String> lines = new CopyOnWriteArrayList<>();
    try (ProcessLauncher launcher = new ProcessLauncher("rev", options(), w -> {})) {
      RunningInstance instance =
          launcher.launch(
              request(
                  "rev-1",
                  "import sys\nprint('to stdout')\nprint('to stderr', file=sys.stderr)\nsys.exit(3)"),
              (stderr, line) -> lines.add((stderr ? "err " : "out ") + line));
      InstanceExit exit = instance.exit().get(20, TimeUnit.SECONDS);
      assertThat(exit.status()).isEqualTo(3);
      assertThat(exit.how()).isEqualTo("exited with status 3");
      assertThat(lines).containsExactlyInAnyOrder("out to stdout", "err to stderr");
    }
    try (var left = Files.list(dir.resolve("run"))) {
      assertThat(left.toList()).as("no pid file or record folder is left").isEmpty();
    }
  }

  @Test
  void passesASignalSentToItOnToTheInstance() throws Exception {
    try (ProcessLauncher launcher = new ProcessLauncher("rev", options(), w -> {})) {
      RunningInstance instance =
          launcher.launch(request("rev-1", "import time\ntime.sleep(60)"), (e, l) -> {});
      long shim =
          ProcessHandle.of(instance.pid()).flatMap(ProcessHandle::parent).orElseThrow().pid();
      assertThat(shim).isNotEqualTo(ProcessHandle.current().pid());
      ProcessGroups.signal(ProcessHandle.of(shim).orElseThrow(), "TERM");
      InstanceExit exit = instance.exit().get(20, TimeUnit.SECONDS);
      assertThat(exit.how()).isEqualTo("killed by signal 15 (TERM)");
    }
  }

  @Test
  void aHandedOverInstanceIsAdoptedWithItsPidAndItsLaterOutput() throws Exception {
    String script =
        "import sys, time\n"
            + "print('before', flush=True)\n"
            + "sys.stdin = None\n"
            + "time.sleep(1.5)\n"
            + "print('after', flush=True)\n"
            + "time.sleep(60)\n";
    List<String> first = new CopyOnWriteArrayList<>();
    RunningInstance handedOver;
    ProcessLauncher launcher = new ProcessLauncher("rev", options(), w -> {});
    handedOver = launcher.launch(request("rev-1", script), (e, line) -> first.add(line));
    awaitLine(first, "before");
    assertThat(handedOver.detach()).isTrue();
    launcher.close();

    List<String> second = new CopyOnWriteArrayList<>();
    try (ProcessLauncher next = new ProcessLauncher("rev", options(), w -> {})) {
      Map<String, Integer> ports = next.adoptable(List.of("rev-1", "rev-2"));
      assertThat(ports).containsOnlyKeys("rev-1");
      RunningInstance adopted =
          next.launch(
              new LaunchRequest(
                  "rev-1", 1, List.of("false"), Map.of(), ports.get("rev-1"), dir, 0, 0),
              (e, line) -> second.add(line));
      assertThat(adopted.pid()).isEqualTo(handedOver.pid());
      awaitLine(second, "after");
      assertThat(second).containsExactly("after");
      assertThat(first).containsExactly("before");
      adopted.kill();
      InstanceExit exit = adopted.exit().get(20, TimeUnit.SECONDS);
      assertThat(exit.how()).isEqualTo("killed by signal 9 (KILL)");
    }
  }

  private static void awaitLine(List<String> lines, String wanted) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!lines.contains(wanted) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(lines).contains(wanted);
  }
}
