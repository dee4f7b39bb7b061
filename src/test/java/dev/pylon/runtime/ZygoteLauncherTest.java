package dev.pylon.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pylon.runtime.InstanceEvent.Kind;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Instances forked from a zygote, with real Python processes: they serve on their own port with
 * their own environment, session, cgroup and output; their exits are seen; a zygote that is gone
 * means a cold start, not an error; an idle revision's zygote is stopped.
 */
class ZygoteLauncherTest {
  private static final String DEBIAN_PYTHON = "/usr/bin/python3";
  private static final String APP =
      """
      import json, os, sys
      IMPORTED_BY = os.getpid()

      def app(environ, start_response):
          path = environ.get("PATH_INFO", "/")
          if path == "/exit":
              os._exit(7)
          print("request %s in %d" % (path, os.getpid()), flush=True)
          sys.stderr.write("to stderr from %d\\n" % os.getpid())
          sys.stderr.flush()
          body = json.dumps({
              "pid": os.getpid(), "ppid": os.getppid(), "imported_by": IMPORTED_BY,
              "pgid": os.getpgid(0), "sid": os.getsid(0),
              "port": os.environ.get("PORT"), "revision": os.environ.get("K_REVISION"),
              "cgroup": open("/proc/self/cgroup").read(),
          }).encode()
          start_response("200 OK", [("Content-Type", "application/json")])
          return [body]
      """;

  @TempDir Path dir;
  private final RecordingListener listener = new RecordingListener();
  private final AtomicReference<ZygoteLauncher> launcher = new AtomicReference<>();
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();
  private InstanceSet set;

  @AfterEach
  void tearDown() {
    if (set != null) {
      set.close();
    }
  }

  @Test
  void aNewInstanceIsForkedFromTheZygoteAndHasItsOwnPortEnvironmentSessionAndOutput()
      throws Exception {
    start(builtinWorker("python3"), SupervisorOptions.defaults(), Duration.ofMinutes(5));
    ZygoteLauncher zygotes = awaitTemplate();
    long template = zygotes.templateProcess().orElseThrow().pid();

    set.scaleTo(2);
    ReadyInstance second = awaitReady("rev-2");
    JsonNode seen = get(second.port(), "/");

    assertThat(seen.get("ppid").asLong()).isEqualTo(template);
    assertThat(seen.get("imported_by").asLong()).as("imported before the fork").isEqualTo(template);
    assertThat(seen.get("pgid").asLong()).isEqualTo(seen.get("pid").asLong());
    assertThat(seen.get("sid").asLong()).isEqualTo(seen.get("pid").asLong());
    assertThat(seen.get("port").asText()).isEqualTo(Integer.toString(second.port()));
    assertThat(seen.get("revision").asText()).isEqualTo("rev");
    long pid = seen.get("pid").asLong();
    listener.awaitLine(
        l -> l.instance().equals("rev-2") && !l.stderr() && l.text().equals("request / in " + pid));
    listener.awaitLine(
        l ->
            l.instance().equals("rev-2") && l.stderr() && l.text().equals("to stderr from " + pid));
    assertThat(set.instances().stream().filter(i -> i.name().equals("rev-2")).findFirst())
        .hasValueSatisfying(i -> assertThat(i.pid()).isEqualTo(pid));
  }

  @Test
  void aForkedInstancesExitStatusIsSeenAndItIsStartedAgain() throws Exception {
    start(builtinWorker("python3"), SupervisorOptions.defaults(), Duration.ofMinutes(5));
    ZygoteLauncher zygotes = awaitTemplate();
    long template = zygotes.templateProcess().orElseThrow().pid();
    set.scaleTo(2);
    ReadyInstance second = awaitReady("rev-2");

    try {
      get(second.port(), "/exit");
    } catch (IOException expected) {
      // the instance ended mid-request
    }

    InstanceEvent exited =
        listener.awaitEvent(e -> e.instance().equals("rev-2") && e.kind() == Kind.EXITED);
    assertThat(exited.detail()).contains("exited with status 7");
    listener.awaitEvent(
        e -> e.instance().equals("rev-2") && e.kind() == Kind.READY && e.at().isAfter(exited.at()));
    ReadyInstance again = awaitReady("rev-2");
    assertThat(get(again.port(), "/").get("ppid").asLong()).isEqualTo(template);
  }

  @Test
  void aZygoteThatIsGoneMeansAColdStartNotAnError() throws Exception {
    start(builtinWorker("python3"), SupervisorOptions.defaults(), Duration.ofMinutes(5));
    ZygoteLauncher zygotes = awaitTemplate();
    RunningInstance template = zygotes.templateProcess().orElseThrow();
    ProcessHandle.of(template.pid()).ifPresent(ProcessHandle::destroyForcibly);
    template.exit().get();

    set.scaleTo(2);
    ReadyInstance second = awaitReady("rev-2");
    JsonNode seen = get(second.port(), "/");

    assertThat(seen.get("imported_by").asLong())
        .as("a cold start")
        .isEqualTo(seen.get("pid").asLong());
    assertThat(seen.get("ppid").asLong()).isNotEqualTo(template.pid());
    assertThat(listener.events())
        .anyMatch(e -> e.kind() == Kind.WARNING && e.detail().contains("new instances start cold"));
    assertThat(listener.events())
        .noneMatch(e -> e.kind() == Kind.FAILED_TO_START || e.kind() == Kind.EXITED);
  }

  @Test
  void aBrokenSocketMeansAColdStartNotAnError() throws Exception {
    start(builtinWorker("python3"), SupervisorOptions.defaults(), Duration.ofMinutes(5));
    ZygoteLauncher zygotes = awaitTemplate();
    RunningInstance template = zygotes.templateProcess().orElseThrow();
    ProcessGroups.signalGroup(template.pid(), "STOP"); // alive, listening, never answering

    try {
      set.scaleTo(2);
      ReadyInstance second = awaitReady("rev-2");
      JsonNode seen = get(second.port(), "/");

      assertThat(seen.get("imported_by").asLong()).isEqualTo(seen.get("pid").asLong());
      assertThat(listener.events())
          .anyMatch(
              e ->
                  e.kind() == Kind.WARNING
                      && e.detail().contains("rev-2 starts cold: the zygote failed"));
    } finally {
      ProcessGroups.signalGroup(template.pid(), "CONT");
    }
  }

  @Test
  void theZygoteIsStoppedOnceTheRevisionHasBeenIdleForItsWindow() throws Exception {
    start(builtinWorker("python3"), SupervisorOptions.defaults(), Duration.ofSeconds(1));
    ZygoteLauncher zygotes = awaitTemplate();
    RunningInstance template = zygotes.templateProcess().orElseThrow();

    set.scaleTo(0);

    template.exit().get(20, java.util.concurrent.TimeUnit.SECONDS);
    awaitTrue(() -> !zygotes.hasTemplate(), "the zygote stopped");
    assertThat(ProcessGroups.members(template.pid())).isEmpty();
  }

  @Test
  void gunicornIsForkedWithTheAppAlreadyImported() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(Path.of(DEBIAN_PYTHON)), "Debian's python3");
    List<String> command =
        List.of(
            DEBIAN_PYTHON,
            "-m",
            "gunicorn",
            "--bind",
            "127.0.0.1:$PORT",
            "--workers",
            "1",
            "--threads",
            "2",
            "app:app");
    start(
        command,
        SupervisorOptions.defaults().withStartup(Probe.serverAnswers()),
        Duration.ofMinutes(5));
    ZygoteLauncher zygotes = awaitTemplate();
    long template = zygotes.templateProcess().orElseThrow().pid();

    set.scaleTo(2);
    ReadyInstance second = awaitReady("rev-2");
    JsonNode seen = get(second.port(), "/");

    long arbiter =
        set.instances().stream()
            .filter(i -> i.name().equals("rev-2"))
            .findFirst()
            .orElseThrow()
            .pid();
    assertThat(seen.get("ppid").asLong())
        .as("gunicorn's worker, under its arbiter")
        .isEqualTo(arbiter);
    assertThat(ProcessGroups.stat(arbiter).orElseThrow().parent()).isEqualTo(template);
    assertThat(seen.get("imported_by").asLong()).isEqualTo(template);
    assertThat(seen.get("pgid").asLong()).isEqualTo(arbiter);
  }

  @Test
  void theAsgiWorkerIsForkedToo() throws Exception {
    Files.writeString(
        dir.resolve("asgi.py"),
        """
        import os
        IMPORTED_BY = os.getpid()

        async def app(scope, receive, send):
            if scope["type"] != "http":
                return
            body = ("%d %d %d" % (os.getpid(), os.getppid(), IMPORTED_BY)).encode()
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": body})
        """);
    Path script = BuiltinWorker.materializeAsgi(dir.resolve("worker"));
    start(
        BuiltinWorker.asgiCommand("python3", script, "asgi:app", dir),
        SupervisorOptions.defaults(),
        Duration.ofMinutes(5));
    ZygoteLauncher zygotes = awaitTemplate();
    long template = zygotes.templateProcess().orElseThrow().pid();

    set.scaleTo(2);
    ReadyInstance second = awaitReady("rev-2");
    String[] seen = text(second.port(), "/").split(" ");

    assertThat(Long.parseLong(seen[1])).isEqualTo(template);
    assertThat(Long.parseLong(seen[2])).isEqualTo(template);
  }

  @Test
  void aForkedInstanceIsInACgroupOfItsOwnWithTheRevisionsLimits() throws Exception {
    CgroupSupport cgroups = CgroupSupport.detect();
    Assumptions.assumeTrue(cgroups.limitsMemory(), cgroups.reason());
    start(
        builtinWorker("python3"),
        SupervisorOptions.defaults().withMemoryLimitMiB(128),
        Duration.ofMinutes(5));
    ZygoteLauncher zygotes = awaitTemplate();
    long template = zygotes.templateProcess().orElseThrow().pid();

    set.scaleTo(2);
    ReadyInstance second = awaitReady("rev-2");
    JsonNode seen = get(second.port(), "/");

    String prefix = "pylon-" + ProcessHandle.current().pid() + "-rev-2-1-";
    String line =
        seen.get("cgroup")
            .asText()
            .lines()
            .filter(l -> l.contains("/" + prefix))
            .findFirst()
            .orElseThrow();
    String name = line.substring(line.lastIndexOf('/') + 1);
    Path memory = cgroups.memoryParent().get().resolve(name);
    String limit = cgroups.mode() == CgroupSupport.Mode.V1 ? "memory.limit_in_bytes" : "memory.max";
    assertThat(Files.readString(memory.resolve(limit)).strip())
        .isEqualTo(Long.toString(128L << 20));
    assertThat(Files.readString(Path.of("/proc/" + template + "/cgroup")))
        .contains("-rev-zygote-")
        .doesNotContain(prefix);
  }

  private List<String> builtinWorker(String python) throws IOException {
    Path script = BuiltinWorker.materialize(dir.resolve("worker"));
    return BuiltinWorker.command(python, script, "app:app", dir, 2);
  }

  private void start(List<String> command, SupervisorOptions options, Duration idle)
      throws IOException, InterruptedException {
    Files.writeString(dir.resolve("app.py"), APP);
    InstanceLauncher.Factory factory =
        (revision, supervised, warnings) -> {
          ZygoteLauncher made =
              new ZygoteLauncher(revision, supervised, warnings, new CriuCheck(), idle);
          launcher.set(made);
          return made;
        };
    set =
        new InstanceSet(
            new InstanceTemplate("svc", "rev", command, Map.of("K_REVISION", "rev"), dir),
            1,
            listener,
            options.withGrace(Duration.ofSeconds(5)),
            factory,
            java.time.InstantSource.system());
    set.start();
    awaitReady("rev-1");
  }

  private ZygoteLauncher awaitTemplate() throws InterruptedException {
    awaitTrue(() -> launcher.get() != null && launcher.get().hasTemplate(), "a zygote");
    ZygoteLauncher zygotes = launcher.get();
    awaitTrue(() -> zygotes.templateAccepting(), "the zygote listening");
    return zygotes;
  }

  private ReadyInstance awaitReady(String name) throws InterruptedException {
    return listener.awaitReady(list -> list.stream().anyMatch(r -> r.name().equals(name))).stream()
        .filter(r -> r.name().equals(name))
        .findFirst()
        .orElseThrow();
  }

  private JsonNode get(int port, String path) throws IOException, InterruptedException {
    return json.readTree(text(port, path));
  }

  private String text(int port, String path) throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  private static void awaitTrue(BooleanSupplier condition, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("never: " + what);
      }
      Thread.sleep(20);
    }
  }
}
