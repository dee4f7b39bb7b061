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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Measures (does not assert) start-to-ready and restart-after-crash times, for the closing
 * note. Off by default; run with {@code PYLON_MEASURE=1 mvn test -Dtest=LifecycleTimingsTest}.
 */
@EnabledIfEnvironmentVariable(named = "PYLON_MEASURE", matches = "1")
class LifecycleTimingsTest {
  private static final int RUNS = 5;
  private static final RestartBackoff.Policy ONE_SECOND_BACKOFF =
      new RestartBackoff.Policy(
          Duration.ofSeconds(1), Duration.ofMinutes(5), Duration.ofMillis(500));

  @TempDir Path dir;

  @Test
  void flaskUnderGunicornStartToReady() throws Exception {
    Files.writeString(dir.resolve("flaskapp.py"), MisbehavingAppsTest.FLASK_APP);
    List<Long> wall = new ArrayList<>();
    List<Long> probe = new ArrayList<>();
    for (int run = 0; run < RUNS; run++) {
      RecordingListener listener = new RecordingListener();
      long began = System.nanoTime();
      try (InstanceSet set =
          new InstanceSet(
              new InstanceTemplate(
                  "svc", "rev", MisbehavingAppsTest.gunicorn("flaskapp:app"), Map.of(), dir),
              1,
              listener,
              MisbehavingAppsTest.fast().withStartup(Probe.http("/healthz")))) {
        set.start();
        assertThat(set.awaitFirstReady(Duration.ofSeconds(30)).ready()).isTrue();
        wall.add((System.nanoTime() - began) / 1_000_000);
        InstanceEvent starting = listener.awaitEvent(e -> e.kind() == Kind.STARTING);
        InstanceEvent ready = listener.awaitEvent(e -> e.kind() == Kind.READY);
        probe.add(Duration.between(starting.at(), ready.at()).toMillis());
      }
    }
    report("flask+gunicorn start() -> first ready (ms)", wall);
    report("flask+gunicorn STARTING -> READY event (ms)", probe);
  }

  @Test
  void builtinWorkerRestartAfterACrashOnARequest() throws Exception {
    Files.writeString(dir.resolve("misbehaving.py"), MisbehavingAppsTest.MISBEHAVING_APP);
    Path worker = BuiltinWorker.materialize(dir.resolve("worker"));
    measureRestarts(
        "builtin worker",
        BuiltinWorker.command("python3", worker, "misbehaving:app", dir, 4),
        Probe.tcp(),
        ready -> crashRequest(ready));
  }

  @Test
  void flaskUnderGunicornRestartAfterItsMasterIsKilled() throws Exception {
    Files.writeString(dir.resolve("flaskapp.py"), MisbehavingAppsTest.FLASK_APP);
    measureRestarts(
        "flask+gunicorn (SIGKILL to the master)",
        MisbehavingAppsTest.gunicorn("flaskapp:app"),
        Probe.http("/healthz"),
        null);
  }

  private interface Crash {
    void crash(ReadyInstance ready) throws Exception;
  }

  private void measureRestarts(String what, List<String> command, Probe startup, Crash crash)
      throws Exception {
    RecordingListener listener = new RecordingListener();
    List<Long> crashToReady = new ArrayList<>();
    List<Long> exitToReady = new ArrayList<>();
    try (InstanceSet set =
        new InstanceSet(
            new InstanceTemplate("svc", "rev", command, Map.of(), dir),
            1,
            listener,
            MisbehavingAppsTest.fast()
                .withStartup(startup)
                .withRestartBackoff(ONE_SECOND_BACKOFF))) {
      set.start();
      ReadyInstance ready = listener.awaitReady(list -> list.size() == 1).getFirst();
      for (int run = 0; run < RUNS; run++) {
        Thread.sleep(700); // up long enough to reset the back-off: each restart waits 1 s
        int exitsBefore = count(listener, Kind.EXITED);
        long began = System.nanoTime();
        if (crash != null) {
          crash.crash(ready);
        } else {
          ProcessHandle.of(set.instances().getFirst().pid()).orElseThrow().destroyForcibly();
        }
        ReadyInstance previous = ready;
        ready =
            listener.awaitReady(list -> list.size() == 1 && !list.contains(previous)).getFirst();
        crashToReady.add((System.nanoTime() - began) / 1_000_000);
        InstanceEvent exited =
            listener.events().stream()
                .filter(e -> e.kind() == Kind.EXITED)
                .skip(exitsBefore)
                .findFirst()
                .orElseThrow();
        InstanceEvent back =
            listener.awaitEvent(e -> e.kind() == Kind.READY && e.at().isAfter(exited.at()));
        exitToReady.add(Duration.between(exited.at(), back.at()).toMillis());
      }
    }
    report(what + ": crash -> ready again, incl. 1 s back-off (ms)", crashToReady);
    report(what + ": EXITED -> READY event, incl. 1 s back-off (ms)", exitToReady);
  }

  private static int count(RecordingListener listener, Kind kind) {
    return (int) listener.events().stream().filter(e -> e.kind() == kind).count();
  }

  private static void crashRequest(ReadyInstance ready) {
    try (HttpClient http = HttpClient.newHttpClient()) {
      http.sendAsync(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ready.port() + "/crash")).build(),
          HttpResponse.BodyHandlers.discarding());
    }
  }

  private static void report(String what, List<Long> millis) {
    List<Long> sorted = millis.stream().sorted().toList();
    System.out.println(
        "MEASURED " + what + ": median " + sorted.get(sorted.size() / 2) + ", all " + millis);
  }
}
