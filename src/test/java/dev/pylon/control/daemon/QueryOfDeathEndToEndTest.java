package dev.pylon.control.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Under {@code pylon server}, a request that kills its instance gets 502 naming the exit and is not
 * sent on to the next instance (which it would kill too): the other instances serve on.
 */
class QueryOfDeathEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path state;

  @Test
  @Timeout(180)
  void aRequestThatKillsItsInstanceKillsOnlyThatOne() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    try (DaemonProcess daemon = DaemonProcess.start(state, port)) {
      daemon.awaitListening(state, Duration.ofSeconds(30));
      AdminClient client = AdminClient.connect(state);
      ObjectNode body = JSON.createObjectNode();
      String root = System.getenv("PYLON_SOURCE_ROOT");
      Path source = root == null ? Path.of("").toAbsolutePath() : Path.of(root);
      body.put("path", source.resolve("src/test/resources/e2e/crash").toString());
      body.put("service", "crash");
      client.stream("/v1/deploy", body, event -> {});

      Set<String> before = new HashSet<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (before.size() < 3 && System.nanoTime() < deadline) {
        RawHttp.Response r = RawHttp.get(port, "crash.localhost", "/");
        if (r.status() == 200) {
          before.add(r.body().trim());
        }
      }
      assertThat(before).hasSize(3);

      RawHttp.Response crash = RawHttp.get(port, "crash.localhost", "/crash");
      assertThat(crash.status()).isEqualTo(502);
      assertThat(crash.body())
          .containsPattern("instance \\S+ exited with status 3 while handling this request");

      Set<String> survivors = new HashSet<>();
      for (int i = 0; i < 40; i++) {
        RawHttp.Response r = RawHttp.get(port, "crash.localhost", "/");
        assertThat(r.status()).isEqualTo(200);
        if (before.contains(r.body().trim())) {
          survivors.add(r.body().trim());
        }
      }
      assertThat(survivors).hasSize(2);
      for (String pid : survivors) {
        assertThat(ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive))
            .contains(true);
      }
    }
  }
}
