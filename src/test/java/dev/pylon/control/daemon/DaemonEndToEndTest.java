package dev.pylon.control.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pylon.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pylon server} as a user runs it: deploys of examples/hello, Host routing, a 50/50 split, a
 * deploy that never gets ready, and a SIGKILL after which the restarted daemon serves the same
 * revisions without building.
 */
class DaemonEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path state;
  @TempDir Path apps;

  @Test
  @Timeout(180)
  void deploysSplitsSurvivesAFailedDeployAndASigkill() throws Exception {
    Path hello = sourceRoot().resolve("examples/hello");
    int port = freePort();
    String first;
    String second;
    try (DaemonProcess daemon = DaemonProcess.start(state, port)) {
      daemon.awaitListening(state, Duration.ofSeconds(30));
      AdminClient client = AdminClient.connect(state);

      first = deploy(client, hello, "hello").path("revision").asText();
      RawHttp.Response answer = RawHttp.get(port, "hello.localhost", "/");
      assertThat(answer.status()).isEqualTo(200);
      assertThat(answer.body()).isEqualTo("Hello from Pylon!\n");

      // A deploy under continuous requests: none of them fails.
      AtomicBoolean loading = new AtomicBoolean(true);
      AtomicInteger sent = new AtomicInteger();
      List<String> failures = new CopyOnWriteArrayList<>();
      Thread load =
          Thread.ofPlatform()
              .start(
                  () -> {
                    while (loading.get()) {
                      try {
                        int status = RawHttp.get(port, "hello.localhost", "/").status();
                        if (status != 200) {
                          failures.add("HTTP " + status);
                        }
                      } catch (IOException e) {
                        failures.add(e.toString());
                      }
                      sent.incrementAndGet();
                    }
                  });
      try {
        second = deploy(client, hello, "hello").path("revision").asText();
        Thread.sleep(500); // the old revision drains and stops under load
      } finally {
        loading.set(false);
        load.join(10_000);
      }
      System.out.printf("deploy under load: %d requests, %d failed%n", sent.get(), failures.size());
      assertThat(failures).as("failed of %d requests", sent.get()).isEmpty();
      assertThat(sent.get()).isPositive();
      assertThat(second).matches("hello-00002-[a-z]{3}");
      assertThat(revisionAt(port)).isEqualTo(second);

      ObjectNode split = JSON.createObjectNode();
      split.putObject("percents").put(first, 50).put(second, 50);
      client.put("/v1/services/hello/traffic", split);
      Map<String, Integer> counts = count(port, 200);
      assertThat(counts.get(first)).isBetween(60, 140);
      assertThat(counts.get(second)).isBetween(60, 140);

      // A revision that never gets ready keeps no traffic; the split stays as it was.
      Path broken = apps.resolve("broken");
      Files.createDirectories(broken);
      Files.writeString(
          broken.resolve("main.py"), "raise RuntimeError('boom at import')\napp = None\n");
      assertThatThrownBy(() -> deploy(client, broken, "hello"))
          .isInstanceOf(AdminClientException.class)
          .hasMessageContaining("did not get ready")
          .satisfies(
              e ->
                  assertThat(String.join("\n", ((AdminClientException) e).details()))
                      .contains("boom at import"));
      assertThat(client.get("/v1/services/hello").path("serving").size()).isEqualTo(2);
      assertThat(count(port, 20).keySet()).containsOnly(first, second);

      // The CLI: a tagged revision without traffic gets its own URL; the split stays.
      StringWriter printed = new StringWriter();
      int status =
          Main.newCommandLine()
              .setOut(new PrintWriter(printed))
              .execute(
                  "deploy",
                  hello.toString(),
                  "--service",
                  "hello",
                  "--no-traffic",
                  "--tag",
                  "blue",
                  "--state-dir",
                  state.toString());
      assertThat(status).as(printed.toString()).isZero();
      assertThat(printed.toString()).contains("http://blue---hello.localhost:" + port + "/");
      String tagged =
          JSON.readTree(RawHttp.get(port, "blue---hello.localhost", "/env").body())
              .path("K_REVISION")
              .asText();
      assertThat(tagged).matches("hello-00004-[a-z]{3}");
      assertThat(count(port, 20).keySet()).containsOnly(first, second);
      // --default-service: any other host goes to hello.
      assertThat(RawHttp.get(port, "127.0.0.1:" + port, "/").body())
          .isEqualTo("Hello from Pylon!\n");

      long snapshots = snapshotCount();
      daemon.kill();

      try (DaemonProcess again = DaemonProcess.start(state, port)) {
        long restartBegan = System.nanoTime();
        again.awaitListening(state, Duration.ofSeconds(30));
        awaitServing(port, Duration.ofSeconds(30));
        System.out.printf(
            "after SIGKILL: serving again %d ms after the restart began%n",
            (System.nanoTime() - restartBegan) / 1_000_000);
        assertThat(count(port, 40).keySet()).containsOnly(first, second);
        AdminClient afterRestart = AdminClient.connect(state);
        assertThat(afterRestart.get("/v1/services/hello/revisions")).hasSize(4);
        assertThat(
                JSON.readTree(RawHttp.get(port, "blue---hello.localhost", "/env").body())
                    .path("K_REVISION")
                    .asText())
            .isEqualTo(tagged);
        assertThat(snapshotCount()).isEqualTo(snapshots);
        assertThat(again.output()).doesNotContain("Building");
        // What the broken revision wrote is kept across the restart.
        JsonNode logs = afterRestart.get("/v1/services/hello/logs?lines=500");
        assertThat(logs.toString()).contains("boom at import");

        // Rollback: all traffic to the ready revision before the one serving most (a tie: the
        // newer one).
        assertThat(
                afterRestart
                    .post("/v1/services/hello/rollback", JSON.createObjectNode())
                    .path("rolledBackTo")
                    .asText())
            .isEqualTo(first);
        assertThat(count(port, 20).keySet()).containsOnly(first);

        // Scale: two instances of the serving revision.
        afterRestart.put("/v1/services/hello/scaling", JSON.createObjectNode().put("min", 2));
        awaitInstances(afterRestart, first, 2, Duration.ofSeconds(30));

        // Delete: the service is gone, and so are its instances.
        afterRestart.delete("/v1/services/hello");
        assertThat(RawHttp.get(port, "hello.localhost", "/").status()).isNotEqualTo(200);
        awaitInstances(afterRestart, first, 0, Duration.ofSeconds(30));
        assertThat(afterRestart.get("/v1/services")).isEmpty();
      }
    }
  }

  private static JsonNode deploy(AdminClient client, Path dir, String service) throws Exception {
    ObjectNode body = JSON.createObjectNode();
    body.put("path", dir.toString());
    body.put("service", service);
    return client.stream("/v1/deploy", body, event -> {});
  }

  private static String revisionAt(int port) throws IOException {
    RawHttp.Response response = RawHttp.get(port, "hello.localhost", "/env");
    assertThat(response.status()).isEqualTo(200);
    return JSON.readTree(response.body()).path("K_REVISION").asText();
  }

  private static Map<String, Integer> count(int port, int requests) throws IOException {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < requests; i++) {
      counts.merge(revisionAt(port), 1, Integer::sum);
    }
    return counts;
  }

  private static void awaitInstances(
      AdminClient client, String revision, int count, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      int ready = 0;
      for (JsonNode instance : client.get("/v1/instances")) {
        if (instance.path("revision").asText().equals(revision)
            && instance.path("state").asText().equals("ready")) {
          ready++;
        }
      }
      if (ready == count) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(
        revision + " did not get " + count + " ready instances: " + client.get("/v1/instances"));
  }

  private static void awaitServing(int port, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (RawHttp.get(port, "hello.localhost", "/").status() == 200
            && count(port, 10).size() == 2) {
          return;
        }
      } catch (IOException notYet) {
        // The router is not listening yet.
      }
      Thread.sleep(100);
    }
    throw new AssertionError("hello was not served again within " + timeout);
  }

  private long snapshotCount() throws IOException {
    try (Stream<Path> files = Files.list(state.resolve("revisions").resolve("hello"))) {
      return files.count();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static Path sourceRoot() {
    String root = System.getenv("PYLON_SOURCE_ROOT");
    return root == null ? Path.of("").toAbsolutePath() : Path.of(root);
  }
}
