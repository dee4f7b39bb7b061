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

/**
 * Real Python apps made to misbehave, supervised by a real InstanceSet: slow to start, failing
 * their health checks, crashing on a request, allocating past their memory limit, ignoring SIGTERM,
 * crashing in a loop. Every check is by what a user would see: events, the ready list, HTTP
 * answers, and pids.
 */
class MisbehavingAppsTest {
  static final Duration WAIT = Duration.ofSeconds(20);

  /**
   * A WSGI app that misbehaves on request: {@code /healthz} fails while it warms up ({@code
   * SLOW_START} seconds) or while the file {@code unhealthy} exists, {@code /live} fails while
   * {@code dead} exists, {@code /crash} ends the process, {@code /grow} holds 300 MiB more.
   */
  static final String MISBEHAVING_APP =
      """
      import os, sys, time
      START = time.monotonic()
      SLOW_START = float(os.environ.get("SLOW_START", "0"))
      held = []

      def app(environ, start_response):
          path = environ["PATH_INFO"]
          ok = True
          if path == "/healthz":
              warming = time.monotonic() - START < SLOW_START
              if warming:
                  print("healthz: still warming up", file=sys.stderr)
              ok = not warming and not os.path.exists("unhealthy")
          elif path == "/live":
              ok = not os.path.exists("dead")
          elif path == "/crash":
              print("crashing on purpose", file=sys.stderr, flush=True)
              os._exit(1)
          elif path == "/grow":
              held.append(b"x" * (300 << 20))  # written, so resident
          start_response("200 OK" if ok else "503 Service Unavailable", [])
          return [b"ok %d" % os.getpid() if ok else b"no"]
      """;

  @TempDir Path dir;
  private final RecordingListener listener = new RecordingListener();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private InstanceSet set;

  @AfterEach
  void tearDown() {
    if (set != null) {
      set.close();
    }
    http.close();
  }

  static SupervisorOptions fast() {
    return SupervisorOptions.defaults()
        .withGrace(Duration.ofSeconds(5))
        .withStartTimeout(WAIT)
        .withRestartBackoff(
            new RestartBackoff.Policy(
                Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofMinutes(1)));
  }

  private void startApp(int count, Map<String, String> env, SupervisorOptions options)
      throws Exception {
    Files.writeString(dir.resolve("misbehaving.py"), MISBEHAVING_APP);
    Path worker = BuiltinWorker.materialize(dir.resolve("worker"));
    start(BuiltinWorker.command("python3", worker, "misbehaving:app", dir, 4), count, env, options);
  }

  private void start(
      List<String> command, int count, Map<String, String> env, SupervisorOptions options) {
    set =
        new InstanceSet(
            new InstanceTemplate("svc", "rev", command, env, dir), count, listener, options);
    set.start();
  }

  private HttpResponse<String> get(ReadyInstance instance, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + instance.port() + path))
            .timeout(WAIT)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aSlowStarterGetsNoTrafficUntilItsStartupProbePasses() throws Exception {
    startApp(
        1,
        Map.of("SLOW_START", "1.5"),
        fast().withStartup(Probe.http("/healthz").withTimeout(Duration.ofSeconds(2))));

    listener.awaitReady(list -> list.size() == 1);
    InstanceEvent ready = listener.awaitEvent(e -> e.kind() == Kind.READY);

    InstanceEvent starting = listener.awaitEvent(e -> e.kind() == Kind.STARTING);
    assertThat(Duration.between(starting.at(), ready.at()))
        .as("the app itself answers 503 for its first 1.5 s")
        .isGreaterThanOrEqualTo(Duration.ofMillis(1500));
    assertThat(ready.detail()).startsWith("GET /healthz answered 200");
    assertThat(listener.lines()).anyMatch(l -> l.text().equals("healthz: still warming up"));
    assertThat(listener.readyLists().getFirst())
        .as("the first ready list published already holds the instance: none was empty-then-wrong")
        .hasSize(1);
    assertThat(listener.events())
        .as("nothing failed on the way")
        .noneMatch(e -> e.kind() == Kind.FAILED_TO_START || e.kind() == Kind.EXITED);
  }

  @Test
  void aFailingHealthEndpointTakesTheInstanceOutOfTrafficUntilItRecovers() throws Exception {
    startApp(
        2,
        Map.of(),
        fast()
            .withReadiness(
                Probe.http("/healthz").withPeriod(Duration.ofMillis(100)).withThresholds(1, 2)));
    List<ReadyInstance> both = listener.awaitReady(list -> list.size() == 2);

    Files.writeString(dir.resolve("unhealthy"), "");
    listener.awaitEvent(e -> e.kind() == Kind.UNREADY && e.instance().equals("rev-1"));
    listener.awaitEvent(e -> e.kind() == Kind.UNREADY && e.instance().equals("rev-2"));
    assertThat(listener.ready()).isEmpty();
    assertThat(listener.events())
        .filteredOn(e -> e.kind() == Kind.UNREADY)
        .allSatisfy(e -> assertThat(e.detail()).contains("GET /healthz answered 503"));

    Files.delete(dir.resolve("unhealthy"));
    assertThat(listener.awaitReady(list -> list.size() == 2))
        .as("the same processes come back; nothing was restarted")
        .containsExactlyElementsOf(both);
    assertThat(set.instances()).allSatisfy(i -> assertThat(i.starts()).isEqualTo(1));
  }

  @Test
  void anInstanceFailingLivenessIsRestartedOnANewProcess() throws Exception {
    startApp(
        1,
        Map.of(),
        fast()
            .withLiveness(
                Probe.http("/live").withPeriod(Duration.ofMillis(100)).withThresholds(1, 2)));
    ReadyInstance first = listener.awaitReady(list -> list.size() == 1).getFirst();
    String firstPid = get(first, "/").body();

    Files.writeString(dir.resolve("dead"), "");
    assertThat(listener.awaitEvent(e -> e.kind() == Kind.LIVENESS_FAILED).detail())
        .contains("GET /live answered 503");
    Files.delete(dir.resolve("dead"));
    assertThat(listener.awaitEvent(e -> e.kind() == Kind.EXITED).detail())
        .startsWith("ended for failing its liveness probe");

    ReadyInstance second =
        listener.awaitReady(list -> list.size() == 1 && !list.contains(first)).getFirst();
    assertThat(get(second, "/").body()).startsWith("ok ").isNotEqualTo(firstPid);
  }

  @Test
  void aCrashOnARequestRestartsThatInstanceWhileTheOtherKeepsServing() throws Exception {
    startApp(2, Map.of(), fast());
    List<ReadyInstance> both = listener.awaitReady(list -> list.size() == 2);
    ReadyInstance victim = both.get(0);
    ReadyInstance survivor = both.get(1);

    http.sendAsync(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + victim.port() + "/crash")).build(),
        HttpResponse.BodyHandlers.discarding());

    InstanceEvent exited =
        listener.awaitEvent(e -> e.kind() == Kind.EXITED && e.instance().equals(victim.name()));
    assertThat(exited.detail()).isEqualTo("exited with status 1");
    assertThat(listener.ready()).doesNotContain(victim).contains(survivor);
    assertThat(get(survivor, "/").statusCode()).isEqualTo(200);
    listener.awaitEvent(e -> e.kind() == Kind.RESTARTING && e.instance().equals(victim.name()));

    List<ReadyInstance> again =
        listener.awaitReady(list -> list.size() == 2 && !list.contains(victim));
    assertThat(again).contains(survivor);
    listener.awaitLine(
        l -> l.instance().equals(victim.name()) && l.text().equals("crashing on purpose"));
  }

  @Test
  void anAppAllocatingPastItsLimitIsKilledByTheKernelAndRestarted() throws Exception {
    CgroupSupport cgroups = CgroupSupport.detect();
    Assumptions.assumeTrue(cgroups.limitsMemory(), cgroups.reason());
    startApp(1, Map.of(), fast().withMemoryLimitMiB(100));
    ReadyInstance first = listener.awaitReady(list -> list.size() == 1).getFirst();
    assertThat(get(first, "/").statusCode()).isEqualTo(200);

    http.sendAsync(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + first.port() + "/grow")).build(),
        HttpResponse.BodyHandlers.discarding());

    assertThat(listener.awaitEvent(e -> e.kind() == Kind.MEMORY_LIMIT).detail())
        .isEqualTo("killed: memory limit (100 MiB)");
    assertThat(listener.awaitEvent(e -> e.kind() == Kind.EXITED).detail())
        .isEqualTo("killed: memory limit (100 MiB)");
    listener.awaitReady(list -> list.size() == 1 && !list.contains(first));
    assertThat(set.instances().getFirst().lastExit()).isEqualTo("killed: memory limit (100 MiB)");
    assertThat(listener.events())
        .as("no warning: the kernel enforced the limit")
        .noneMatch(e -> e.kind() == Kind.WARNING);

    Path firstCgroup =
        cgroups.memoryParent().get().resolve("pylon-" + ProcessHandle.current().pid() + "-rev-1-1");
    awaitGone(firstCgroup);
    set.close();
    awaitGone(
        cgroups
            .memoryParent()
            .get()
            .resolve("pylon-" + ProcessHandle.current().pid() + "-rev-1-2"));
  }

  @Test
  void aSandboxedAppAllocatingPastItsLimitIsKilledAndSaysSo() throws Exception {
    CgroupSupport cgroups = CgroupSupport.detect();
    Assumptions.assumeTrue(cgroups.limitsMemory(), cgroups.reason());
    Assumptions.assumeTrue(Sandbox.bubblewrap().isPresent(), "bubblewrap is not installed");
    startApp(
        1,
        Map.of(),
        fast().withMemoryLimitMiB(100).withSandbox(new Sandbox(List.of(), List.of(dir))));
    ReadyInstance first = listener.awaitReady(list -> list.size() == 1).getFirst();

    http.sendAsync(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + first.port() + "/grow")).build(),
        HttpResponse.BodyHandlers.discarding());

    assertThat(listener.awaitEvent(e -> e.kind() == Kind.MEMORY_LIMIT).detail())
        .isEqualTo("killed: memory limit (100 MiB)");
    assertThat(listener.awaitEvent(e -> e.kind() == Kind.EXITED).detail())
        .isEqualTo("killed: memory limit (100 MiB)");
    listener.awaitReady(list -> list.size() == 1 && !list.contains(first));
  }

  private static void awaitGone(Path path) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (Files.exists(path) && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(path).as("a finished instance's cgroup is removed").doesNotExist();
  }

  @Test
  void anAppIgnoringSigtermIsKilledAfterTheGraceAndLeavesNothing() throws Exception {
    Files.writeString(
        dir.resolve("stubborn.py"),
        """
        import http.server, os, signal, subprocess, sys
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        helper = subprocess.Popen(["sleep", "600"])
        print("helper=%d" % helper.pid, flush=True)
        http.server.ThreadingHTTPServer(
            ("127.0.0.1", int(os.environ["PORT"])), http.server.SimpleHTTPRequestHandler
        ).serve_forever()
        """);
    start(List.of("python3", "stubborn.py"), 1, Map.of(), fast());
    listener.awaitReady(list -> list.size() == 1);
    long helper =
        Long.parseLong(listener.awaitLine(l -> l.text().startsWith("helper=")).text().substring(7));
    long leader = set.instances().getFirst().pid();

    set.stop(Duration.ofSeconds(1));

    assertThat(listener.awaitEvent(e -> e.kind() == Kind.STOPPED).detail())
        .isEqualTo("killed with SIGKILL after the 1 s grace period");
    assertThat(ProcessGroups.alive(leader)).isFalse();
    assertThat(ProcessGroups.alive(helper)).isFalse();
    assertThat(ProcessGroups.members(leader)).isEmpty();
  }

  @Test
  void anAppThatKeepsCrashingShowsACrashLoopWithItsLastLinesAndExitCode() throws Exception {
    Files.writeString(
        dir.resolve("flaky.py"),
        """
        import os, sys, threading, time
        def lose_database():
            time.sleep(0.3)
            print("fatal: lost the connection to the database", file=sys.stderr, flush=True)
            os._exit(2)
        threading.Thread(target=lose_database, daemon=True).start()
        def app(environ, start_response):
            start_response("200 OK", [])
            return [b"ok"]
        """);
    Path worker = BuiltinWorker.materialize(dir.resolve("worker"));
    start(BuiltinWorker.command("python3", worker, "flaky:app", dir, 2), 1, Map.of(), fast());

    InstanceEvent crashLoop = listener.awaitEvent(e -> e.kind() == Kind.CRASH_LOOP);

    assertThat(crashLoop.detail())
        .isEqualTo("3 exits in a row without staying up; last: exited with status 2");
    InstanceStatus status = set.instances().getFirst();
    assertThat(status.state()).isIn(InstanceStatus.State.CRASH_LOOP, InstanceStatus.State.STARTING);
    assertThat(status.lastExit()).isEqualTo("exited with status 2");
    assertThat(status.lastLines()).contains("fatal: lost the connection to the database");
    assertThat(listener.events())
        .filteredOn(e -> e.kind() == Kind.READY)
        .as("it served before it crashed")
        .isNotEmpty();
  }

  @Test
  void aFlaskAppUnderGunicornIsReadyOnlyOnceItsHealthEndpointAnswers() throws Exception {
    Path python = Path.of("/usr/bin/python3");
    Assumptions.assumeTrue(Files.isExecutable(python), "needs Debian's python3 with Flask");
    Files.writeString(dir.resolve("flaskapp.py"), FLASK_APP);
    start(
        gunicorn("flaskapp:app"),
        1,
        Map.of("SLOW_START", "1"),
        fast().withStartup(Probe.http("/healthz")));

    ReadyInstance ready = listener.awaitReady(list -> list.size() == 1).getFirst();

    assertThat(listener.awaitEvent(e -> e.kind() == Kind.READY).detail())
        .startsWith("GET /healthz answered 200 on port " + ready.port());
    assertThat(get(ready, "/").body()).startsWith("hello from flask ");
    assertThat(listener.events()).noneMatch(e -> e.kind() == Kind.FAILED_TO_START);
  }

  @Test
  void aGunicornWorkerKilledForMemoryEndsTheWholeInstanceAndSaysSo() throws Exception {
    Path python = Path.of("/usr/bin/python3");
    Assumptions.assumeTrue(Files.isExecutable(python), "needs Debian's python3 with Flask");
    CgroupSupport cgroups = CgroupSupport.detect();
    Assumptions.assumeTrue(cgroups.limitsMemory(), cgroups.reason());
    Files.writeString(dir.resolve("flaskapp.py"), FLASK_APP);
    start(
        gunicorn("flaskapp:app"),
        1,
        Map.of(),
        fast().withStartup(Probe.http("/healthz")).withMemoryLimitMiB(100));
    ReadyInstance first = listener.awaitReady(list -> list.size() == 1).getFirst();
    long master = set.instances().getFirst().pid();

    http.sendAsync(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + first.port() + "/grow")).build(),
        HttpResponse.BodyHandlers.discarding());

    // The kernel kills the worker (the biggest process); Pylon ends the master with it, as
    // Kubernetes does with memory.oom.group, rather than leave gunicorn to fork a new worker.
    assertThat(listener.awaitEvent(e -> e.kind() == Kind.MEMORY_LIMIT).detail())
        .isEqualTo("killed: memory limit (100 MiB)");
    assertThat(listener.awaitEvent(e -> e.kind() == Kind.EXITED).detail())
        .isEqualTo("killed: memory limit (100 MiB)");
    assertThat(ProcessGroups.members(master)).isEmpty();
    ReadyInstance second =
        listener.awaitReady(list -> list.size() == 1 && !list.contains(first)).getFirst();
    assertThat(get(second, "/").body()).startsWith("hello from flask ");
  }

  /** A Flask app that takes {@code SLOW_START} seconds to import (as a real one loading models). */
  static final String FLASK_APP =
      """
      import os, time
      from flask import Flask
      time.sleep(float(os.environ.get("SLOW_START", "0")))
      app = Flask(__name__)

      @app.get("/")
      def index():
          return "hello from flask %d" % os.getpid()

      @app.get("/healthz")
      def healthz():
          return "ok"

      held = []

      @app.get("/grow")
      def grow():
          held.append(b"x" * (300 << 20))
          return "grew"
      """;

  static List<String> gunicorn(String app) {
    return List.of(
        "/usr/bin/python3",
        "-m",
        "gunicorn",
        "--bind",
        "127.0.0.1:$PORT",
        "--workers",
        "1",
        "--threads",
        "8",
        "--timeout",
        "0",
        app);
  }
}
