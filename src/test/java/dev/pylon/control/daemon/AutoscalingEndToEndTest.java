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
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The autoscaler in the daemon with real apps: a service with min 0 idles to zero and its next
 * request is held while an instance starts; a burst on a service with concurrency 1 scales out and
 * back in. Windows are short (3 s stable, 1 s grace) so this takes seconds, not minutes.
 */
class AutoscalingEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path state;
  static Daemon daemon;
  static ServerInfo info;
  static AdminClient client;

  @BeforeAll
  static void startDaemon() throws Exception {
    daemon =
        new Daemon(
            TestDaemons.settings(state)
                .withScalingWindows(Duration.ofSeconds(3), Duration.ofSeconds(1)));
    info = daemon.start();
    client = AdminClient.connect(state);
  }

  @AfterAll
  static void stopDaemon() {
    if (daemon != null) {
      daemon.close();
    }
  }

  @Test
  @Timeout(120)
  void appYamlScalingIsTheServicesScalingAndLogsFollowWhatInstancesWrite() throws Exception {
    String revision =
        deploy(sourceRoot().resolve("src/test/resources/control/declared-scaling"), "declared");
    awaitReady(revision, n -> n == 2, Duration.ofSeconds(60));
    assertThat(events("declared"))
        .anySatisfy(e -> assertThat(e).contains("scaled").contains("app.yaml"));

    StringWriter followed = new StringWriter();
    Thread follow =
        Thread.ofPlatform()
            .start(
                () ->
                    Main.newCommandLine()
                        .setOut(new PrintWriter(followed, true))
                        .execute("logs", "declared", "-f", "--state-dir", state.toString()));
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!followed.toString().contains("pylon-worker: serving") && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    follow.interrupt();
    follow.join(10_000);
    assertThat(followed.toString()).contains("pylon-worker: serving main:app");
  }

  @Test
  @Timeout(120)
  void aServiceIdlesToZeroAndItsNextRequestStartsAnInstance() throws Exception {
    String revision = deploy(sourceRoot().resolve("examples/hello"), "hello");
    scale("hello", 0, 10, 80);

    List<Long> millis = new ArrayList<>();
    for (int round = 0; round < 5; round++) {
      awaitReady(revision, n -> n == 0, Duration.ofSeconds(30));
      long start = System.nanoTime();
      RawHttp.Response answer = RawHttp.get(info.routerPort(), "hello.localhost", "/");
      millis.add((System.nanoTime() - start) / 1_000_000);
      assertThat(answer.status()).isEqualTo(200);
      assertThat(answer.body()).isEqualTo("Hello from Pylon!\n");
      assertThat(readyCount(revision)).isGreaterThanOrEqualTo(1);
    }
    Collections.sort(millis);
    System.out.println("scale-from-zero latencies (ms, sorted): " + millis);
    assertThat(events("hello"))
        .anySatisfy(e -> assertThat(e).contains("autoscaled").contains("-> 0"))
        .anySatisfy(e -> assertThat(e).contains("autoscaled").contains("0 -> 1"));
  }

  @Test
  @Timeout(120)
  void aBurstScalesOutAndBackIn() throws Exception {
    String revision = deploy(Path.of("src/test/resources/control/slow"), "slow");
    scale("slow", 1, 6, 1);
    awaitReady(revision, n -> n == 1, Duration.ofSeconds(30));

    AtomicBoolean loading = new AtomicBoolean(true);
    AtomicInteger ok = new AtomicInteger();
    List<String> failures = new CopyOnWriteArrayList<>();
    List<Thread> clients = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      clients.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    while (loading.get()) {
                      try {
                        int status = RawHttp.get(info.routerPort(), "slow.localhost", "/").status();
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
    int peak;
    try {
      peak = awaitReady(revision, n -> n > 1, Duration.ofSeconds(30));
      long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
      while (System.nanoTime() < until) {
        peak = Math.max(peak, readyCount(revision));
        Thread.sleep(200);
      }
    } finally {
      loading.set(false);
      for (Thread t : clients) {
        t.join(10_000);
      }
    }
    long stopped = System.nanoTime();
    int after = awaitReady(revision, n -> n == 1, Duration.ofSeconds(40));
    System.out.printf(
        "burst: peak %d ready instances, back to %d after %d ms; %d requests ok, failures %s%n",
        peak, after, (System.nanoTime() - stopped) / 1_000_000, ok.get(), failures);
    assertThat(peak).isGreaterThan(1);
    assertThat(failures).isEmpty();
  }

  private static String deploy(Path dir, String service) throws Exception {
    ObjectNode body = JSON.createObjectNode();
    body.put("path", dir.toAbsolutePath().toString());
    body.put("service", service);
    return client.stream("/v1/deploy", body, event -> {}).path("revision").asText();
  }

  private static void scale(String service, int min, int max, int concurrency) throws Exception {
    ObjectNode body = JSON.createObjectNode();
    body.put("min", min).put("max", max).put("concurrency", concurrency);
    client.put("/v1/services/" + service + "/scaling", body);
  }

  private static int readyCount(String revision) throws Exception {
    int ready = 0;
    for (JsonNode instance : client.get("/v1/instances")) {
      if (instance.path("revision").asText().equals(revision)
          && instance.path("state").asText().equals("ready")) {
        ready++;
      }
    }
    return ready;
  }

  private static int awaitReady(String revision, IntPredicate wanted, Duration timeout)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      int ready = readyCount(revision);
      if (wanted.test(ready)) {
        return ready;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(
        revision + ": the ready instances never matched: " + client.get("/v1/instances"));
  }

  private static List<String> events(String service) throws Exception {
    List<String> all = new ArrayList<>();
    for (JsonNode event : client.get("/v1/events?service=" + service + "&limit=200")) {
      all.add(event.path("kind").asText() + " " + event.path("detail").asText());
    }
    return all;
  }

  private static Path sourceRoot() {
    String root = System.getenv("PYLON_SOURCE_ROOT");
    return root == null ? Path.of("").toAbsolutePath() : Path.of(root);
  }
}
