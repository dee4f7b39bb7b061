package dev.pylon.control.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pylon.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's autoscaler with real apps and real load, on the two things requests in flight alone
 * miss: CPU (a revision whose few requests burn CPU scales out on the CPU metric, not on
 * concurrency, and back in when idle), and a restart (a restarted daemon brings a revision back
 * with the instances it had, not one). Windows are short (6 s stable, 1 s grace).
 */
class ScalingMetricsAndRestartTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path state;
  private Daemon daemon;
  private ServerInfo info;
  private AdminClient client;

  private void startDaemon() throws Exception {
    daemon =
        new Daemon(
            TestDaemons.settings(state)
                .withScalingWindows(Duration.ofSeconds(6), Duration.ofSeconds(1)));
    info = daemon.start();
    client = AdminClient.connect(state);
  }

  @AfterEach
  void stopDaemon() {
    if (daemon != null) {
      daemon.close();
    }
  }

  @Test
  @Timeout(150)
  void fewRequestsThatBurnCpuScaleOutOnCpuButNotOnConcurrencyAndIdleScalesBackIn()
      throws Exception {
    startDaemon();
    String revision = deploy(Path.of("src/test/resources/control/busy"), "busy");
    // app.yaml's cpu_utilization and cool_down_period_sec are the service's.
    JsonNode declared = client.get("/v1/services/busy").path("scaling");
    assertThat(declared.path("metric").asText()).isEqualTo("cpu");
    assertThat(declared.path("cpuTarget").asDouble()).isEqualTo(0.3);
    assertThat(declared.path("coolDownSeconds").asDouble()).isEqualTo(90);
    assertThat(scaler(revision).path("stableWindowSeconds").asDouble()).isEqualTo(90);

    // The same service on requests in flight, with this test's short window.
    assertThat(cli("scale", "busy", "--metric", "concurrency", "--cool-down", "6s"))
        .contains("scales on concurrency, 80 in flight per instance; stable window 6 s");
    awaitReady(revision, n -> n == 1, Duration.ofSeconds(30));

    Load load = new Load("busy.localhost", 4);
    try {
      // Four requests in flight are far below 80 x 0.7 per instance: one instance it stays.
      Thread.sleep(5000);
      assertThat(scaler(revision).path("desired").asInt()).isEqualTo(1);
      assertThat(scaler(revision).path("reason").asText()).contains("in flight");

      // The same load on CPU: one instance burns about a core, over 0.3 per instance.
      assertThat(cli("scale", "busy", "--cpu-target", "0.3"))
          .contains("scales on cpu, 0.30 cores per instance");
      int peak = awaitReady(revision, n -> n > 1, Duration.ofSeconds(30));
      assertThat(scaler(revision).path("reason").asText()).contains("cores");
      String table = cli("instances");
      assertThat(table).contains("DESIRED").contains("LAST DECISION").contains("cores");
      System.out.printf("cpu: %d ready at first scale-out, %s%n", peak, scaler(revision));
    } finally {
      load.stop();
    }
    assertThat(load.failures).isEmpty();
    long stopped = System.nanoTime();
    awaitReady(revision, n -> n == 1, Duration.ofSeconds(60));
    System.out.printf(
        "cpu: back to 1 instance %d ms after the load stopped; %d requests ok%n",
        (System.nanoTime() - stopped) / 1_000_000, load.ok());

    // On CPU too, an idle revision with min 0 goes to zero and a request brings it back.
    client.put("/v1/services/busy/scaling", JSON.createObjectNode().put("min", 0));
    awaitReady(revision, n -> n == 0, Duration.ofSeconds(30));
    assertThat(RawHttp.get(info.routerPort(), "busy.localhost", "/").status()).isEqualTo(200);
  }

  @Test
  @Timeout(150)
  void aRestartedDaemonBringsARevisionBackWithTheInstancesItHadUntilItHasSamples()
      throws Exception {
    startDaemon();
    String revision = deploy(Path.of("src/test/resources/control/slow"), "slow");
    client.put(
        "/v1/services/slow/scaling",
        JSON.createObjectNode().put("min", 0).put("max", 4).put("concurrency", 1));
    Load load = new Load("slow.localhost", 6);
    int had;
    try {
      had = awaitReady(revision, n -> n >= 3, Duration.ofSeconds(40));
    } finally {
      load.stop();
    }
    // Panic holds the count for a stable window after the load; restart within it.
    int desired = scaler(revision).path("desired").asInt();
    assertThat(desired).isGreaterThanOrEqualTo(had);
    daemon.close();
    daemon = null;

    startDaemon();
    long restarted = System.nanoTime();
    // No load now: the empty window must not drop the revision to one (its initial scale) or to
    // zero (its min) before it has a window of real samples.
    assertThat(awaitScaler(revision).path("desired").asInt()).isEqualTo(desired);
    int back = awaitReady(revision, n -> n >= desired, Duration.ofSeconds(30));
    long readyMillis = (System.nanoTime() - restarted) / 1_000_000;
    assertThat(events("slow"))
        .filteredOn(e -> e.startsWith("autoscaled"))
        .noneSatisfy(e -> assertThat(e).contains(desired + " -> 1:"));
    // Then, idle, it scales in as usual.
    awaitReady(revision, n -> n < desired, Duration.ofSeconds(40));
    System.out.printf(
        "restart: %d instances before, %d ready again %d ms after the restart%n",
        desired, back, readyMillis);
  }

  /** Clients sending requests one after another until stopped. */
  private final class Load {
    final AtomicBoolean running = new AtomicBoolean(true);
    final List<String> failures = new CopyOnWriteArrayList<>();
    final List<Thread> threads = new ArrayList<>();
    final java.util.concurrent.atomic.AtomicInteger ok =
        new java.util.concurrent.atomic.AtomicInteger();

    Load(String host, int clients) {
      int port = info.routerPort();
      for (int i = 0; i < clients; i++) {
        threads.add(
            Thread.ofPlatform()
                .start(
                    () -> {
                      while (running.get()) {
                        try {
                          int status = RawHttp.get(port, host, "/").status();
                          if (status == 200) {
                            ok.incrementAndGet();
                          } else {
                            failures.add("HTTP " + status);
                          }
                        } catch (java.io.IOException e) {
                          failures.add(e.toString());
                        }
                      }
                    }));
      }
    }

    int ok() {
      return ok.get();
    }

    void stop() throws InterruptedException {
      running.set(false);
      for (Thread t : threads) {
        t.join(10_000);
      }
    }
  }

  private String cli(String... args) {
    StringWriter out = new StringWriter();
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--state-dir");
    all.add(state.toString());
    int status =
        Main.newCommandLine()
            .setOut(new PrintWriter(out, true))
            .setErr(new PrintWriter(out, true))
            .execute(all.toArray(String[]::new));
    assertThat(status).as(out.toString()).isZero();
    return out.toString();
  }

  private String deploy(Path dir, String service) throws Exception {
    ObjectNode body = JSON.createObjectNode();
    body.put("path", dir.toAbsolutePath().toString());
    body.put("service", service);
    return client.stream("/v1/deploy", body, event -> {}).path("revision").asText();
  }

  private JsonNode scaler(String revision) throws Exception {
    for (JsonNode s : client.get("/v1/scalers")) {
      if (s.path("revision").asText().equals(revision)) {
        return s;
      }
    }
    throw new AssertionError(revision + " has no scaler: " + client.get("/v1/scalers"));
  }

  /** The revision's scaler once the restarted daemon's first pass registered it. */
  private JsonNode awaitScaler(String revision) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      for (JsonNode s : client.get("/v1/scalers")) {
        if (s.path("revision").asText().equals(revision)) {
          return s;
        }
      }
      Thread.sleep(20);
    }
    return scaler(revision);
  }

  private int readyCount(String revision) throws Exception {
    int ready = 0;
    for (JsonNode instance : client.get("/v1/instances")) {
      if (instance.path("revision").asText().equals(revision)
          && instance.path("state").asText().equals("ready")) {
        ready++;
      }
    }
    return ready;
  }

  private int awaitReady(String revision, IntPredicate wanted, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      int ready = readyCount(revision);
      if (wanted.test(ready)) {
        return ready;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(
        revision + ": the ready instances never matched: " + client.get("/v1/scalers"));
  }

  private List<String> events(String service) throws Exception {
    List<String> all = new ArrayList<>();
    for (JsonNode event : client.get("/v1/events?service=" + service + "&limit=200")) {
      all.add(event.path("kind").asText() + " " + event.path("detail").asText());
    }
    return all;
  }
}
