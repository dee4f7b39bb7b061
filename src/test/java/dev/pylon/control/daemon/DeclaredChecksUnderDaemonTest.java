package dev.pylon.control.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pylon server} watches instances with the checks app.yaml declares, as {@code pylon run}
 * does: an instance whose liveness check starts failing is restarted, and a revision whose
 * readiness check never passes gets no traffic.
 */
class DeclaredChecksUnderDaemonTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String APP =
      """
      import os

      def app(environ, start_response):
          path = environ.get("PATH_INFO")
          sick = os.path.exists(os.environ["SICK_FLAG"])
          if path == "/healthz" and sick:
              status, body = "500 Internal Server Error", b"sick"
          elif path == "/ready" and os.environ.get("NEVER_READY"):
              status, body = "503 Service Unavailable", b"not yet"
          else:
              status, body = "200 OK", str(os.getpid()).encode()
          start_response(status, [("Content-Length", str(len(body)))])
          return [body]
      """;

  @TempDir Path state;
  @TempDir Path apps;
  private Daemon daemon;
  private AdminClient client;

  @AfterEach
  void stop() {
    if (daemon != null) {
      daemon.close();
    }
  }

  @Test
  @Timeout(150)
  void anInstanceFailingTheDeclaredLivenessCheckIsRestarted() throws Exception {
    Path flag = apps.resolve("sick");
    Path app = app("live", flag, false);
    start();
    String revision = deploy(app, "live");
    String first = onlyReadyInstance(revision, Duration.ofSeconds(30));

    Files.writeString(flag, "");
    String next = null;
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      String ready = readyPid(revision);
      if (ready != null && !ready.equals(first)) {
        next = ready;
        break;
      }
      if (ready == null) {
        Files.deleteIfExists(flag); // the replacement is healthy
      }
      Thread.sleep(200);
    }
    assertThat(next).as("a replacement of %s after its liveness check failed", first).isNotNull();
    assertThat(events("live")).anyMatch(e -> e.contains("liveness"));
  }

  @Test
  @Timeout(150)
  void aRevisionWhoseDeclaredReadinessCheckNeverPassesGetsNoTraffic() throws Exception {
    Path app = app("unready", apps.resolve("unused"), true);
    start();
    ObjectNode body = JSON.createObjectNode();
    body.put("path", app.toString());
    body.put("service", "unready");
    assertThatThrownBy(() -> client.stream("/v1/deploy", body, event -> {}))
        .isInstanceOf(AdminClientException.class)
        .hasMessageContaining("did not get ready")
        .hasMessageContaining("GET /ready answered 503")
        .hasMessageContaining("within 8 s");
    for (JsonNode target : client.get("/v1/services/unready").path("traffic")) {
      assertThat(target.path("percent").asInt()).as(target.toString()).isZero();
    }
  }

  private Path app(String name, Path flag, boolean neverReady) throws Exception {
    Path dir = Files.createDirectories(apps.resolve(name));
    Files.writeString(dir.resolve("main.py"), APP);
    Files.writeString(
        dir.resolve("app.yaml"),
        "runtime: python\n"
            + "env: flex\n"
            + "manual_scaling:\n"
            + "  instances: 1\n"
            + "env_variables:\n"
            + "  SICK_FLAG: "
            + flag
            + "\n"
            + (neverReady ? "  NEVER_READY: \"1\"\n" : "")
            + "liveness_check:\n"
            + "  path: /healthz\n"
            + "  check_interval_sec: 1\n"
            + "  timeout_sec: 1\n"
            + "  failure_threshold: 2\n"
            + "  initial_delay_sec: 0\n"
            + "readiness_check:\n"
            + "  path: /ready\n"
            + "  check_interval_sec: 1\n"
            + "  timeout_sec: 1\n"
            + "  app_start_timeout_sec: 8\n");
    return dir;
  }

  private void start() throws Exception {
    daemon =
        new Daemon(
            new DaemonSettings(
                state,
                "127.0.0.1",
                0,
                0,
                java.util.Optional.empty(),
                Duration.ofSeconds(2),
                Duration.ofSeconds(15)));
    daemon.start();
    client = AdminClient.connect(state);
  }

  private String deploy(Path dir, String service) throws Exception {
    ObjectNode body = JSON.createObjectNode();
    body.put("path", dir.toString());
    body.put("service", service);
    return client.stream("/v1/deploy", body, event -> {}).path("revision").asText();
  }

  private String readyPid(String revision) throws Exception {
    for (JsonNode instance : client.get("/v1/instances")) {
      if (instance.path("revision").asText().equals(revision)
          && instance.path("state").asText().equals("ready")) {
        return instance.path("pid").asText();
      }
    }
    return null;
  }

  private String onlyReadyInstance(String revision, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      String pid = readyPid(revision);
      if (pid != null) {
        return pid;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(
        "no ready instance of " + revision + ": " + client.get("/v1/instances"));
  }

  private List<String> events(String service) throws Exception {
    List<String> all = new ArrayList<>();
    for (JsonNode event : client.get("/v1/events?service=" + service + "&limit=200")) {
      all.add(event.path("kind").asText() + " " + event.path("detail").asText());
    }
    return all;
  }
}
