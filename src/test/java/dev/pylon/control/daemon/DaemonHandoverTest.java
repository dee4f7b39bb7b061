package dev.pylon.control.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16, item 4: {@code pylon server --takeover} twice under a request loop drops nothing and
 * starts no instance (the same pids serve throughout); a SIGKILLed daemon's successor adopts the
 * same instances; a stop leaves nothing behind.
 */
class DaemonHandoverTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path state;

  @Test
  @Timeout(240)
  void takeoversUnderLoadDropNothingAndStartNothing() throws Exception {
    Path hello = Path.of("").toAbsolutePath().resolve("examples/hello");
    int port = freePort();
    DaemonProcess first = DaemonProcess.start(state, port);
    List<DaemonProcess> started = new ArrayList<>(List.of(first));
    try {
      first.awaitListening(state, Duration.ofSeconds(30));
      ObjectNode body =
          JSON.createObjectNode().put("path", hello.toString()).put("service", "hello");
      AdminClient.connect(state).stream("/v1/deploy", body, event -> {});
      // pinned at one: what is adopted must not depend on the autoscaler's last count
      AdminClient.connect(state)
          .put("/v1/services/hello/scaling", JSON.createObjectNode().put("min", 1).put("max", 1));
      assertThat(RawHttp.get(port, "hello.localhost", "/").status()).isEqualTo(200);
      List<Long> pids = instancePids();
      assertThat(pids).hasSize(1);

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
      DaemonProcess serving = first;
      try {
        for (int restart = 1; restart <= 2; restart++) {
          Thread.sleep(500);
          DaemonProcess next = DaemonProcess.start(state, port, "--takeover");
          started.add(next);
          next.awaitListening(state, Duration.ofSeconds(60));
          assertThat(serving.awaitExit(Duration.ofSeconds(30)))
              .as("the daemon taken over from exits by itself: %s", serving.output())
              .isZero();
          assertThat(serving.output()).contains("handed over to the new `pylon server`");
          serving = next;
        }
        Thread.sleep(500);
      } finally {
        loading.set(false);
        load.join(10_000);
      }
      System.out.printf(
          "two takeovers under load: %d requests, %d failed%n", sent.get(), failures.size());
      assertThat(failures).as("failed of %d requests", sent.get()).isEmpty();
      assertThat(sent.get()).isPositive();
      assertThat(instancePids()).as("no instance started again").isEqualTo(pids);
      assertThat(instanceStarts()).containsOnly(1);

      // SIGKILL: the next daemon adopts the instance the killed one left.
      serving.kill();
      DaemonProcess afterKill = DaemonProcess.start(state, port);
      started.add(afterKill);
      afterKill.awaitListening(state, Duration.ofSeconds(60));
      assertThat(RawHttp.get(port, "hello.localhost", "/").status()).isEqualTo(200);
      assertThat(instancePids()).as("adopted after SIGKILL").isEqualTo(pids);

      afterKill.close();
      assertThat(ProcessHandle.of(pids.getFirst()).map(ProcessHandle::isAlive).orElse(false))
          .as("a stopped daemon stops its instances")
          .isFalse();
      try (Stream<Path> left = Files.list(state.resolve("run"))) {
        assertThat(left.toList()).isEmpty();
      }
    } finally {
      for (DaemonProcess daemon : started) {
        daemon.close();
      }
    }
  }

  private List<Long> instancePids() throws Exception {
    List<Long> pids = new ArrayList<>();
    for (JsonNode instance : AdminClient.connect(state).get("/v1/instances")) {
      pids.add(instance.path("pid").asLong());
    }
    return pids;
  }

  private List<Integer> instanceStarts() throws Exception {
    List<Integer> starts = new ArrayList<>();
    for (JsonNode instance : AdminClient.connect(state).get("/v1/instances")) {
      starts.add(instance.path("starts").asInt());
    }
    return starts;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
