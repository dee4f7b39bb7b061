package dev.pylon.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pylon.runtime.InstanceEvent.Kind;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real processes supervised by a real InstanceSet; checks by pid that nothing survives. */
class InstanceSetTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String HTTP_SERVER = "exec python3 -m http.server --bind 127.0.0.1 $PORT";

  @TempDir Path dir;
  private final RecordingListener listener = new RecordingListener();
  private final HttpClient http = HttpClient.newHttpClient();
  private InstanceSet set;

  @AfterEach
  void tearDown() {
    if (set != null) {
      set.close();
    }
    http.close();
  }

  private InstanceSet start(List<String> command, int count, SupervisorOptions options) {
    InstanceTemplate template =
        new InstanceTemplate("svc", "rev", command, Map.of("K_SERVICE", "svc"), dir);
    set = new InstanceSet(template, count, listener, options);
    set.start();
    return set;
  }

  private static SupervisorOptions fast() {
    return SupervisorOptions.defaults()
        .withGrace(Duration.ofSeconds(5))
        .withRestartBackoff(
            new RestartBackoff.Policy(
                Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofMinutes(1)));
  }

  private static List<String> sh(String script) {
    return List.of("sh", "-c", script);
  }

  private String get(ReadyInstance instance, String path) throws Exception {
    return http.send(
            HttpRequest.newBuilder(
                    URI.create("http://" + instance.host() + ":" + instance.port() + path))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  @Test
  void eachInstanceRunsTheBuiltinWorkerOnItsOwnPortWithTheEnvironment() throws Exception {
    Files.writeString(
        dir.resolve("envapp.py"),
        """
        import os
        def app(environ, start_response):
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [("%s %s %s" % (os.environ["PORT"], os.environ["K_SERVICE"],
                                   os.environ["PYTHONUNBUFFERED"])).encode()]
        """);
    Path script = BuiltinWorker.materialize(dir.resolve("worker"));
    start(BuiltinWorker.command("python3", script, "envapp:app", dir, 2), 2, fast());

    assertThat(set.awaitFirstReady(WAIT).ready()).isTrue();
    List<ReadyInstance> ready = listener.awaitReady(list -> list.size() == 2);

    assertThat(ready).extracting(ReadyInstance::name).containsExactly("rev-1", "rev-2");
    assertThat(ready.get(0).port()).isNotEqualTo(ready.get(1).port());
    for (ReadyInstance instance : ready) {
      assertThat(get(instance, "/")).isEqualTo(instance.port() + " svc 1");
      listener.awaitLine(
          line ->
              line.instance().equals(instance.name())
                  && line.stderr()
                  && line.text()
                      .equals(
                          "pylon-worker: serving envapp:app on 127.0.0.1:"
                              + instance.port()
                              + " with 2 threads"));
    }
    assertThat(listener.events())
        .filteredOn(e -> e.kind() == Kind.READY)
        .extracting(InstanceEvent::instance)
        .containsExactlyInAnyOrder("rev-1", "rev-2");
  }

  @Test
  void stopLeavesNoProcessOfTheGroupBehind() throws Exception {
    Path runDir = dir.resolve("run");
    start(sh("sleep 1000 & echo sleeper=$!; " + HTTP_SERVER), 1, fast().withRunDir(runDir));
    assertThat(set.awaitFirstReady(WAIT).ready()).isTrue();
    long sleeper =
        Long.parseLong(
            listener.awaitLine(l -> l.text().startsWith("sleeper=")).text().substring(8));
    long leader = set.instances().getFirst().pid();
    assertThat(ProcessGroups.alive(leader)).isTrue();
    assertThat(ProcessGroups.alive(sleeper)).isTrue();
    assertThat(ProcessGroups.members(leader)).contains(leader, sleeper);
    try (var pidFiles = Files.list(runDir)) {
      assertThat(pidFiles).hasSize(1);
    }

    set.stop(Duration.ofSeconds(5));

    assertThat(ProcessGroups.alive(leader)).isFalse();
    assertThat(ProcessGroups.alive(sleeper)).isFalse();
    try (var pidFiles = Files.list(runDir)) {
      assertThat(pidFiles).as("a clean stop leaves no pid file").isEmpty();
    }
    assertThat(listener.ready()).isEmpty();
    // SIGTERM did it: the grace was not cut short (e.g. by the parent-death signal).
    assertThat(listener.awaitEvent(e -> e.kind() == Kind.STOPPED).detail())
        .isEqualTo("stopped (killed by signal 15 (TERM))");
  }

  @Test
  void gunicornsWorkerProcessesStopWithItsMaster() throws Exception {
    Path systemPython = Path.of("/usr/bin/python3");
    Assumptions.assumeTrue(
        new ProcessBuilder(systemPython.toString(), "-c", "import gunicorn").start().waitFor() == 0,
        "Debian's python3 with gunicorn is needed");
    Files.writeString(
        dir.resolve("hello.py"),
        """
        def app(environ, start_response):
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"hello"]
        """);
    start(
        List.of(
            systemPython.toString(),
            "-m",
            "gunicorn",
            "--bind",
            "127.0.0.1:$PORT",
            "--workers",
            "2",
            "hello:app"),
        1,
        fast());
    ReadyInstance ready = listener.awaitReady(list -> list.size() == 1).getFirst();
    assertThat(get(ready, "/")).isEqualTo("hello");
    long master = set.instances().getFirst().pid();
    List<Long> group = awaitGroupOf(master, 3);

    // Generous: on a loaded machine gunicorn's workers may still be booting.
    set.stop(Duration.ofSeconds(15));

    assertThat(group).allMatch(pid -> !ProcessGroups.alive(pid));
    assertThat(listener.awaitEvent(e -> e.kind() == Kind.STOPPED).detail())
        .as("gunicorn's output: %s", listener.lines())
        .isEqualTo("stopped (exited with status 0)");
  }

  @Test
  void gunicornFailingToImportTheAppIsAFailedStartWithAnAnswersHttpStartupProbe() throws Exception {
    Path systemPython = Path.of("/usr/bin/python3");
    Assumptions.assumeTrue(
        new ProcessBuilder(systemPython.toString(), "-c", "import gunicorn").start().waitFor() == 0,
        "Debian's python3 with gunicorn is needed");
    Files.writeString(dir.resolve("broken.py"), "import no_such_module_for_pylon\n");
    // gunicorn's master listens before its worker imports the app: a TCP probe would pass.
    start(
        List.of(
            systemPython.toString(), "-m", "gunicorn", "--bind", "127.0.0.1:$PORT", "broken:app"),
        1,
        fast().withStartup(Probe.answersHttp("/")));

    StartOutcome outcome = set.awaitFirstReady(WAIT);

    assertThat(outcome.result()).isEqualTo(StartOutcome.Result.FAILED);
    assertThat(outcome.exitCode()).isEqualTo(3); // gunicorn's "worker failed to boot"
    assertThat(outcome.lastLines())
        .anyMatch(line -> line.contains("No module named 'no_such_module_for_pylon'"));
  }

  /** The members of group {@code pgid}, once there are at least {@code size} of them. */
  private static List<Long> awaitGroupOf(long pgid, int size) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      List<Long> members = ProcessGroups.members(pgid);
      if (members.size() >= size) {
        return members;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("group " + pgid + " never had " + size + " members");
  }

  @Test
  void aProcessIgnoringSigtermIsKilledAfterTheGrace() throws Exception {
    start(sh("trap '' TERM; " + HTTP_SERVER), 1, fast());
    assertThat(set.awaitFirstReady(WAIT).ready()).isTrue();
    long leader = set.instances().getFirst().pid();

    set.stop(Duration.ofMillis(300));

    assertThat(ProcessGroups.alive(leader)).isFalse();
    InstanceEvent stopped = listener.awaitEvent(e -> e.kind() == Kind.STOPPED);
    assertThat(stopped.detail()).contains("SIGKILL after the 300 ms grace period");
  }

  @Test
  void aKilledInstanceIsRestartedOnANewPortAndTrafficMovesThere() throws Exception {
    start(sh(HTTP_SERVER), 1, fast());
    ReadyInstance first = listener.awaitReady(list -> list.size() == 1).getFirst();
    long pid = set.instances().getFirst().pid();

    ProcessHandle.of(pid).orElseThrow().destroyForcibly();

    InstanceEvent exited = listener.awaitEvent(e -> e.kind() == Kind.EXITED);
    assertThat(exited.detail()).isEqualTo("killed by signal 9 (KILL)");
    listener.awaitEvent(e -> e.kind() == Kind.RESTARTING);
    ReadyInstance second =
        listener.awaitReady(list -> list.size() == 1 && !list.contains(first)).getFirst();
    assertThat(second.name()).isEqualTo("rev-1");
    assertThat(listener.readyLists())
        .containsSubsequence(List.of(first), List.of(), List.of(second));
    assertThat(get(second, "/")).contains("Directory listing");
    assertThat(set.instances().getFirst().starts()).isEqualTo(2);
  }

  @Test
  void anAppThatFailsToImportReportsItsExitStatusAndTraceback() throws Exception {
    Files.writeString(dir.resolve("broken.py"), "import no_such_module_for_pylon\n");
    Path script = BuiltinWorker.materialize(dir.resolve("worker"));
    start(BuiltinWorker.command("python3", script, "broken:app", dir, 2), 2, fast());

    StartOutcome outcome = set.awaitFirstReady(WAIT);

    assertThat(outcome.result()).isEqualTo(StartOutcome.Result.FAILED);
    assertThat(outcome.exitCode()).isEqualTo(BuiltinWorker.EXIT_APP_IMPORT_FAILED);
    assertThat(outcome.detail()).startsWith("exited with status 3 before accepting connections");
    assertThat(outcome.lastLines())
        .contains("Traceback (most recent call last):")
        .contains("ModuleNotFoundError: No module named 'no_such_module_for_pylon'");
    assertThat(listener.events())
        .filteredOn(e -> e.kind() == Kind.FAILED_TO_START)
        .extracting(InstanceEvent::instance)
        .contains("rev-1", "rev-2");
  }

  @Test
  void aProgramThatDoesNotExistFailsToStartWithAMessage() throws Exception {
    start(List.of("no-such-program-for-pylon", "$PORT"), 1, fast());

    StartOutcome outcome = set.awaitFirstReady(WAIT);

    assertThat(outcome.result()).isEqualTo(StartOutcome.Result.FAILED);
    assertThat(outcome.exitCode()).isNotZero();
    assertThat(String.join("\n", outcome.lastLines())).contains("no-such-program-for-pylon");
  }

  @Test
  void anInstanceThatNeverListensIsKilledAtTheStartTimeout() throws Exception {
    start(sh("echo started; exec sleep 60"), 1, fast().withStartTimeout(Duration.ofMillis(400)));

    StartOutcome outcome = set.awaitFirstReady(WAIT);

    assertThat(outcome.result()).isEqualTo(StartOutcome.Result.FAILED);
    assertThat(outcome.detail()).contains("did not accept connections").contains("400 ms");
    assertThat(outcome.lastLines()).contains("started");
    InstanceEvent exited = listener.awaitEvent(e -> e.kind() == Kind.EXITED);
    assertThat(exited.detail()).isEqualTo("killed by signal 9 (KILL)");
  }

  @Test
  void repeatedCrashesShowACrashLoopAndTheLastOutput() throws Exception {
    start(sh("echo about to crash >&2; exit 7"), 1, fast());

    InstanceEvent crashLoop = listener.awaitEvent(e -> e.kind() == Kind.CRASH_LOOP);

    assertThat(crashLoop.detail()).contains("3 exits in a row").contains("exited with status 7");
    InstanceStatus status = set.instances().getFirst();
    assertThat(status.state()).isIn(InstanceStatus.State.CRASH_LOOP, InstanceStatus.State.STARTING);
    assertThat(status.lastExit()).isEqualTo("exited with status 7");
    assertThat(status.lastLines()).contains("about to crash");
  }

  @Test
  void awaitFirstReadyTimesOutWhileAnInstanceIsStillStarting() throws Exception {
    start(sh("exec sleep 60"), 1, fast());
    StartOutcome outcome = set.awaitFirstReady(Duration.ofMillis(200));
    assertThat(outcome.result()).isEqualTo(StartOutcome.Result.TIMED_OUT);
    long pid = set.instances().getFirst().pid();
    set.close();
    assertThat(ProcessGroups.alive(pid)).isFalse();
  }

  private void startProbedApp(SupervisorOptions options) throws Exception {
    Files.writeString(
        dir.resolve("probed.py"),
        """
        import os
        def app(environ, start_response):
            path = environ["PATH_INFO"]
            ok = os.path.exists("ready") if path == "/ready" else not os.path.exists("dead")
            start_response("200 OK" if ok else "503 Service Unavailable", [])
            return [b"ok" if ok else b"no"]
        """);
    Path script = BuiltinWorker.materialize(dir.resolve("worker"));
    start(BuiltinWorker.command("python3", script, "probed:app", dir, 2), 1, options);
  }

  @Test
  void noTrafficUntilTheReadinessProbePassesAndNoneWhileItFails() throws Exception {
    startProbedApp(
        fast()
            .withReadiness(
                Probe.http("/ready").withPeriod(Duration.ofMillis(100)).withThresholds(1, 2)));
    listener.awaitLine(l -> l.text().startsWith("pylon-worker: serving"));

    assertThat(set.awaitFirstReady(Duration.ofMillis(500)).result())
        .isEqualTo(StartOutcome.Result.TIMED_OUT);
    assertThat(listener.ready()).isEmpty();

    Files.writeString(dir.resolve("ready"), "");
    ReadyInstance ready = listener.awaitReady(list -> list.size() == 1).getFirst();
    assertThat(listener.awaitEvent(e -> e.kind() == Kind.READY).detail())
        .startsWith("GET /ready answered 200 on port " + ready.port());

    Files.delete(dir.resolve("ready"));
    InstanceEvent unready = listener.awaitEvent(e -> e.kind() == Kind.UNREADY);
    assertThat(unready.detail()).contains("GET /ready answered 503");
    assertThat(listener.ready()).isEmpty();
    assertThat(set.instances().getFirst().state()).isEqualTo(InstanceStatus.State.UNREADY);

    Files.writeString(dir.resolve("ready"), "");
    assertThat(listener.awaitReady(list -> list.size() == 1)).containsExactly(ready);
    assertThat(set.instances().getFirst().starts()).isEqualTo(1);
  }

  @Test
  void anInstanceFailingLivenessIsRestarted() throws Exception {
    startProbedApp(
        fast()
            .withLiveness(
                Probe.http("/live").withPeriod(Duration.ofMillis(100)).withThresholds(1, 2)));
    ReadyInstance first = listener.awaitReady(list -> list.size() == 1).getFirst();

    Files.writeString(dir.resolve("dead"), "");
    InstanceEvent failed = listener.awaitEvent(e -> e.kind() == Kind.LIVENESS_FAILED);
    Files.delete(dir.resolve("dead"));

    assertThat(failed.detail()).contains("GET /live answered 503");
    // SIGTERM first: the built-in worker drains and exits cleanly.
    assertThat(listener.awaitEvent(e -> e.kind() == Kind.EXITED).detail())
        .isEqualTo("ended for failing its liveness probe (exited with status 0)");
    ReadyInstance second =
        listener.awaitReady(list -> list.size() == 1 && !list.contains(first)).getFirst();
    assertThat(get(second, "/live")).isEqualTo("ok");
    assertThat(set.instances().getFirst().starts()).isEqualTo(2);
  }

  @Test
  void withoutCgroupsAnInstanceOverItsMemoryLimitIsKilledByTheWatch() throws Exception {
    Files.writeString(
        dir.resolve("greedy.py"),
        """
        import time
        held = []
        def app(environ, start_response):
            if environ["PATH_INFO"] == "/grow":
                held.append(b"x" * (200 << 20))  # written, so resident
                time.sleep(5)
            start_response("200 OK", [])
            return [b"ok"]
        """);
    Path script = BuiltinWorker.materialize(dir.resolve("worker"));
    start(
        BuiltinWorker.command("python3", script, "greedy:app", dir, 2),
        1,
        fast().withMemoryLimitMiB(100).withCgroups(false));
    assertThat(listener.awaitEvent(e -> e.kind() == Kind.WARNING).detail())
        .isEqualTo(
            "no cgroup can be made (cgroups are turned off): the memory limit of 100 MiB is"
                + " enforced by watching resident memory every 250 ms instead");
    ReadyInstance first = listener.awaitReady(list -> list.size() == 1).getFirst();
    assertThat(get(first, "/")).isEqualTo("ok"); // well under the limit

    http.sendAsync(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + first.port() + "/grow")).build(),
        HttpResponse.BodyHandlers.discarding());

    assertThat(listener.awaitEvent(e -> e.kind() == Kind.MEMORY_LIMIT).detail())
        .startsWith("killed: memory limit (100 MiB); it was using ");
    assertThat(listener.awaitEvent(e -> e.kind() == Kind.EXITED).detail())
        .isEqualTo("killed: memory limit (100 MiB)");
    listener.awaitReady(list -> list.size() == 1 && !list.contains(first));
    assertThat(set.instances().getFirst().lastExit()).isEqualTo("killed: memory limit (100 MiB)");
  }

  @Test
  void scalingUpAddsInstancesAndScalingDownStopsTheHighestNumbered() throws Exception {
    start(sh(HTTP_SERVER), 1, fast());
    listener.awaitReady(list -> list.size() == 1);

    set.scaleTo(3);
    List<ReadyInstance> three = listener.awaitReady(list -> list.size() == 3);
    assertThat(three).extracting(ReadyInstance::name).containsExactly("rev-1", "rev-2", "rev-3");
    List<Long> pids = set.instances().stream().map(InstanceStatus::pid).toList();

    set.scaleTo(1);
    assertThat(listener.awaitReady(list -> list.size() == 1))
        .extracting(ReadyInstance::name)
        .containsExactly("rev-1");
    listener.awaitEvent(e -> e.kind() == Kind.STOPPED && e.instance().equals("rev-2"));
    listener.awaitEvent(e -> e.kind() == Kind.STOPPED && e.instance().equals("rev-3"));
    assertThat(ProcessGroups.alive(pids.get(1))).isFalse();
    assertThat(ProcessGroups.alive(pids.get(2))).isFalse();
    assertThat(ProcessGroups.alive(pids.get(0))).isTrue();
    assertThat(set.instances()).extracting(InstanceStatus::name).containsExactly("rev-1");
    assertThat(listener.events())
        .filteredOn(e -> e.kind() == Kind.RESTARTING)
        .as("a scaled-down instance is not restarted")
        .isEmpty();
  }
}
