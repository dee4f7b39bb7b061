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

      Load load = Load.start(port);
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
        load.stop();
      }
      System.out.printf(
          "two takeovers under load: %d requests, %d failed%n",
          load.sent(), load.failures().size());
      assertThat(load.failures()).as("failed of %d requests", load.sent()).isEmpty();
      assertThat(load.sent()).isPositive();
      assertThat(instancePids()).as("no instance started again").isEqualTo(pids);
      assertThat(instanceStarts()).containsOnly(1);
      assertThat(eventKinds()).contains("adopted");

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

  /**
   * Two instances: the second is forked from the revision's zygote, which no successor can adopt.
   * It keeps serving what the old router sends it until that router has drained, and only then
   * stops, while the successor starts its replacement: nothing fails.
   */
  @Test
  @Timeout(240)
  void aTakeoverOfAZygoteForkDropsNothing() throws Exception {
    Path hello = Path.of("").toAbsolutePath().resolve("examples/hello");
    int port = freePort();
    DaemonProcess first = DaemonProcess.start(state, port);
    List<DaemonProcess> started = new ArrayList<>(List.of(first));
    try {
      first.awaitListening(state, Duration.ofSeconds(30));
      ObjectNode body =
          JSON.createObjectNode().put("path", hello.toString()).put("service", "hello");
      AdminClient.connect(state).stream("/v1/deploy", body, event -> {});
      AdminClient.connect(state)
          .put("/v1/services/hello/scaling", JSON.createObjectNode().put("min", 2).put("max", 2));
      awaitReadyInstances(2, Duration.ofSeconds(30));

      Load load = Load.start(port, 8, true);
      try {
        Thread.sleep(500);
        DaemonProcess next = DaemonProcess.start(state, port, "--takeover");
        started.add(next);
        next.awaitListening(state, Duration.ofSeconds(60));
        assertThat(first.awaitExit(Duration.ofSeconds(30)))
            .as("the daemon taken over from exits by itself: %s", first.output())
            .isZero();
        Thread.sleep(500);
      } finally {
        load.stop();
      }
      System.out.printf(
          "a takeover of two instances under load: %d requests, %d failed%n",
          load.sent(), load.failures().size());
      assertThat(load.failures()).as("failed of %d requests", load.sent()).isEmpty();
      assertThat(load.sent()).isPositive();
      awaitReadyInstances(2, Duration.ofSeconds(30));
    } finally {
      for (DaemonProcess daemon : started) {
        daemon.close();
      }
    }
  }

  private void awaitReadyInstances(int count, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      int ready = 0;
      for (JsonNode instance : AdminClient.connect(state).get("/v1/instances")) {
        ready += "ready".equals(instance.path("state").asText()) ? 1 : 0;
      }
      if (ready >= count) {
        return;
      }
      assertThat(System.nanoTime()).as("%d ready instances", count).isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  /**
   * Clients sending GET / in a loop, each on a new connection or on one kept alive, counting what
   * did not succeed.
   */
  private record Load(
      List<Thread> threads, AtomicBoolean loading, AtomicInteger sentCount, List<String> failures) {
    static Load start(int port) {
      return start(port, 1, false);
    }

    static Load start(int port, int clients, boolean keepAlive) {
      AtomicBoolean loading = new AtomicBoolean(true);
      AtomicInteger sent = new AtomicInteger();
      List<String> failures = new CopyOnWriteArrayList<>();
      List<Thread> threads = new ArrayList<>();
      for (int n = 0; n < clients; n++) {
        threads.add(
            Thread.ofPlatform()
                .start(
                    () -> {
                      try (KeepAliveHttp connection = new KeepAliveHttp(port, "hello.localhost")) {
                        while (loading.get()) {
                          try {
                            int status =
                                keepAlive
                                    ? connection.get("/")
                                    : RawHttp.get(port, "hello.localhost", "/").status();
                            if (status != 200) {
                              failures.add("HTTP " + status);
                            }
                          } catch (IOException e) {
                            failures.add(e.toString());
                          }
                          sent.incrementAndGet();
                        }
                      }
                    }));
      }
      return new Load(threads, loading, sent, failures);
    }

    int sent() {
      return sentCount.get();
    }

    void stop() throws InterruptedException {
      loading.set(false);
      for (Thread thread : threads) {
        thread.join(10_000);
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

  private List<String> eventKinds() throws Exception {
    List<String> kinds = new ArrayList<>();
    for (JsonNode event : AdminClient.connect(state).get("/v1/events")) {
      kinds.add(event.path("kind").asText());
    }
    return kinds;
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
