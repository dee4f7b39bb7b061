package dev.pylon.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests that reach {@code pylon run} while no instance is ready yet (its first start, an
 * instance's restart) wait in the queue and are answered once an instance is ready: none gets 503.
 */
class StartAndRestartWaitIT {
  private static final String APP =
      PylonProcess.sourceRoot().resolve("src/test/resources/e2e/slow-import").toString();

  @TempDir Path state;

  @Test
  void theFirstRequestsOfASlowImportingAppWaitAndGet200() throws Exception {
    int port = Http.freePort();
    try (PylonProcess pylon =
        PylonProcess.start(
            Map.of(),
            "run",
            APP,
            "--port",
            Integer.toString(port),
            "--state-dir",
            state.toString(),
            "--instances",
            "1")) {
      awaitListening(port, Duration.ofSeconds(60));
      List<Integer> statuses = sendAtOnce(port, 10);
      assertThat(statuses).as(pylon.output()).containsOnly(200);
      pylon.awaitLine(line -> line.contains("Serving at http"), Duration.ofSeconds(60));
    }
  }

  @Test
  void requestsSentWhileTheOnlyInstanceRestartsWaitForIt() throws Exception {
    int port = Http.freePort();
    try (PylonProcess pylon =
        PylonProcess.serving(Map.of(), state, port, APP, "--instances", "1")) {
      killInstances(pylon, 1);
      // Sent once Pylon saw the exit (before, a request may still be sent to the dead instance).
      pylon.awaitLine(line -> line.contains(" exited"), Duration.ofSeconds(20));
      List<Integer> statuses = sendAtOnce(port, 50);
      assertThat(statuses).as(pylon.output()).containsOnly(200);
    }
  }

  @Test
  void withTwoInstancesAndOneKilledNoRequestGets503() throws Exception {
    int port = Http.freePort();
    try (PylonProcess pylon =
        PylonProcess.serving(Map.of(), state, port, APP, "--instances", "2")) {
      pylon.awaitLine(line -> line.contains("-2 ready"), Duration.ofSeconds(60));
      killInstances(pylon, 1);
      // Sent once Pylon saw the exit (before, a request may still be sent to the dead instance).
      pylon.awaitLine(line -> line.contains(" exited"), Duration.ofSeconds(20));
      List<Integer> statuses = sendAtOnce(port, 50);
      assertThat(statuses).as(pylon.output()).containsOnly(200);
    }
  }

  /** SIGKILLs {@code count} of the app's Python processes (the instances' leaders). */
  private static void killInstances(PylonProcess pylon, int count) {
    List<ProcessHandle> pythons =
        pylon.descendants().stream()
            .filter(p -> p.info().commandLine().orElse("").contains("python"))
            .filter(p -> p.parent().map(parent -> !isPython(parent)).orElse(true))
            .limit(count)
            .toList();
    assertThat(pythons).hasSize(count);
    pythons.forEach(ProcessHandle::destroyForcibly);
  }

  private static boolean isPython(ProcessHandle process) {
    return process.info().commandLine().orElse("").contains("python");
  }

  private static List<Integer> sendAtOnce(int port, int requests) throws Exception {
    Http http = new Http();
    ExecutorService pool = Executors.newFixedThreadPool(requests);
    try {
      List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
      for (int i = 0; i < requests; i++) {
        sent.add(
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return http.get(port, "/");
                  } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                  }
                },
                pool));
      }
      List<Integer> statuses = new ArrayList<>();
      for (CompletableFuture<HttpResponse<String>> answer : sent) {
        statuses.add(answer.get().statusCode());
      }
      return statuses;
    } finally {
      pool.shutdownNow();
    }
  }

  private static void awaitListening(int port, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        Thread.sleep(10);
      }
    }
    throw new AssertionError("pylon run did not listen on " + port + " within " + timeout);
  }
}
