package dev.pylon.control.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pylon.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two statistical and crash promises of the control plane, measured with real requests: a 90/10
 * split set with {@code pylon traffic} lands within a few percent, and a daemon SIGKILLed under
 * load serves every request again after its restart, without building.
 */
class SplitAndRecoveryEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path state;

  @Test
  @Timeout(120)
  void aNinetyTenSplitMeasuresWithinAFewPercent() throws Exception {
    int port = freePort();
    try (DaemonProcess daemon = DaemonProcess.start(state, port)) {
      daemon.awaitListening(state, Duration.ofSeconds(30));
      AdminClient client = AdminClient.connect(state);
      String first = deploy(client, null);
      String second = deploy(client, "canary");

      StringWriter printed = new StringWriter();
      int status =
          Main.newCommandLine()
              .setOut(new PrintWriter(printed))
              .setErr(new PrintWriter(printed))
              .execute(
                  "traffic",
                  "hello",
                  "--to-revisions",
                  first + "=90," + second + "=10",
                  "--state-dir",
                  state.toString());
      assertThat(status).as(printed.toString()).isZero();

      int requests = 1000;
      Map<String, Integer> counts = new HashMap<>();
      for (int i = 0; i < requests; i++) {
        counts.merge(revisionAt(port), 1, Integer::sum);
      }
      double share = 100.0 * counts.getOrDefault(second, 0) / requests;
      System.out.printf("90/10 split: %s; share of %s %.1f %%%n", counts, second, share);
      assertThat(counts.keySet()).containsOnly(first, second);
      assertThat(share).isBetween(7.0, 13.0);

      // Cloud Run's form: shares by tag, a tag naming a revision.
      assertThat(traffic("hello", "--to-tags", "canary=100")).isZero();
      Map<String, Integer> tagged = new HashMap<>();
      for (int i = 0; i < 20; i++) {
        tagged.merge(revisionAt(port), 1, Integer::sum);
      }
      assertThat(tagged.keySet()).containsOnly(second);
      assertThat(traffic("hello", "--to-tags", "nosuchtag=100")).isNotZero();
    }
  }

  @Test
  @Timeout(120)
  void aDaemonSigkilledUnderLoadServesEveryRequestAgainAfterItsRestart() throws Exception {
    int port = freePort();
    String revision;
    AtomicBoolean loading = new AtomicBoolean(true);
    AtomicInteger sent = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    AtomicLong lastFailure = new AtomicLong();
    Thread load = null;
    try (DaemonProcess daemon = DaemonProcess.start(state, port)) {
      daemon.awaitListening(state, Duration.ofSeconds(30));
      revision = deploy(AdminClient.connect(state), null);
      load =
          Thread.ofPlatform()
              .start(
                  () -> {
                    while (loading.get()) {
                      sent.incrementAndGet();
                      try {
                        if (RawHttp.get(port, "hello.localhost", "/").status() == 200) {
                          continue;
                        }
                      } catch (IOException | RuntimeException refusedOrCut) {
                        // Counted below: the daemon is down.
                      }
                      failed.incrementAndGet();
                      lastFailure.set(System.nanoTime());
                      try {
                        Thread.sleep(5);
                      } catch (InterruptedException e) {
                        return;
                      }
                    }
                  });
      Thread.sleep(500);
      assertThat(failed.get()).as("failures before the kill").isZero();
      daemon.kill();
    }
    long killed = System.nanoTime();
    try (DaemonProcess again = DaemonProcess.start(state, port)) {
      long restartBegan = System.nanoTime();
      again.awaitListening(state, Duration.ofSeconds(30));
      // Serving has resumed once a full second passes without a failed request.
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (System.nanoTime() - lastFailure.get() < Duration.ofSeconds(1).toNanos()) {
        assertThat(System.nanoTime()).as("serving resumed within 30 s").isLessThan(deadline);
        Thread.sleep(50);
      }
      long resumed = lastFailure.get();
      int failedDuringOutage = failed.get();
      int sentBefore = sent.get();
      Thread.sleep(1000);
      loading.set(false);
      load.join(10_000);
      System.out.printf(
          "SIGKILL under load: %d requests failed during the outage; serving resumed %d ms after"
              + " the kill, %d ms after the restart began%n",
          failedDuringOutage, (resumed - killed) / 1_000_000, (resumed - restartBegan) / 1_000_000);
      assertThat(failed.get()).as("failures after serving resumed").isEqualTo(failedDuringOutage);
      assertThat(sent.get()).isGreaterThan(sentBefore);
      assertThat(revisionAt(port)).isEqualTo(revision);
      assertThat(again.output()).doesNotContain("Building");
    } finally {
      loading.set(false);
      if (load != null) {
        load.join(10_000);
      }
    }
  }

  private static String deploy(AdminClient client, String tag) throws Exception {
    ObjectNode body = JSON.createObjectNode();
    if (tag != null) {
      body.put("tag", tag);
    }
    body.put("path", sourceRoot().resolve("examples/hello").toString());
    body.put("service", "hello");
    return client.stream("/v1/deploy", body, event -> {}).path("revision").asText();
  }

  private int traffic(String... arguments) {
    StringWriter printed = new StringWriter();
    String[] all = new String[arguments.length + 3];
    all[0] = "traffic";
    System.arraycopy(arguments, 0, all, 1, arguments.length);
    all[all.length - 2] = "--state-dir";
    all[all.length - 1] = state.toString();
    int status =
        Main.newCommandLine()
            .setOut(new PrintWriter(printed))
            .setErr(new PrintWriter(printed))
            .execute(all);
    System.out.println("pylon traffic: " + printed);
    return status;
  }

  private static String revisionAt(int port) throws IOException {
    RawHttp.Response response = RawHttp.get(port, "hello.localhost", "/env");
    assertThat(response.status()).isEqualTo(200);
    JsonNode env = JSON.readTree(response.body());
    return env.path("K_REVISION").asText();
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
