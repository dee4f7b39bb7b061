package dev.pylon.control.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin API's contract without any app: authentication, errors, and the client's messages. */
class AdminApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir static Path state;
  static Daemon daemon;
  static ServerInfo info;

  @BeforeAll
  static void startDaemon() throws Exception {
    daemon = new Daemon(TestDaemons.settings(state));
    info = daemon.start();
  }

  @AfterAll
  static void stopDaemon() {
    daemon.close();
  }

  @Test
  void theTokenIsMadeAtFirstStartReadableByItsOwnerOnly() throws Exception {
    Path token = state.resolve(AdminToken.FILE);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(token)))
        .isEqualTo("rw-------");
    assertThat(Files.readString(token).trim()).hasSize(64);
    assertThat(ServerInfo.read(state).adminPort()).isEqualTo(info.adminPort());
  }

  @Test
  void aMissingOrWrongTokenIs401WithAJsonError() throws Exception {
    HttpResponse<String> none = send("GET", "/v1/services", null, null);
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(none.body()).path("error").asText()).contains("token");
    assertThat(JSON.readTree(none.body()).path("hint").asText()).contains(AdminToken.FILE);

    HttpResponse<String> wrong = send("GET", "/v1/services", "Bearer nope", null);
    assertThat(wrong.statusCode()).isEqualTo(401);
  }

  @Test
  void theRoutersMetricsAreThereForPrometheusWithoutAToken() throws Exception {
    HttpResponse<String> metrics = send("GET", "/metrics", null, null);
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
    assertThat(metrics.body()).contains("# TYPE").contains("pylon_");
  }

  @Test
  void errorsAreJsonWithAStatusThatFits() throws Exception {
    String auth = "Bearer " + AdminToken.read(state).value();
    assertThat(send("GET", "/v1/services", auth, null).statusCode()).isEqualTo(200);

    HttpResponse<String> unknown = send("GET", "/v1/services/nope", auth, null);
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(unknown.body()).path("error").asText())
        .isEqualTo("there is no service named nope");

    assertThat(send("GET", "/v2/whatever", auth, null).statusCode()).isEqualTo(404);
    assertThat(send("DELETE", "/v1/events", auth, null).statusCode()).isEqualTo(405);

    HttpResponse<String> notJson = send("POST", "/v1/deploy", auth, "{nope");
    assertThat(notJson.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(notJson.body()).path("error").asText()).contains("not JSON");

    HttpResponse<String> noPath = send("POST", "/v1/deploy", auth, "{}");
    assertThat(noPath.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(noPath.body()).path("error").asText()).contains("\"path\"");
  }

  @Test
  void scalingTakesAMetricACpuTargetAndACoolDownAndSaysWhatIsWrongWithThem() throws Exception {
    try (Store store = Store.open(state.resolve(Daemon.DATABASE))) {
      store.ensureService("knobs", java.time.Instant.now());
    }
    AdminClient client = AdminClient.connect(state);
    JsonNode defaults = client.get("/v1/services/knobs").path("scaling");
    assertThat(defaults.path("min").asInt()).isZero();
    assertThat(defaults.path("metric").asText()).isEqualTo("concurrency");
    assertThat(defaults.has("coolDownSeconds")).isFalse();

    JsonNode cpu =
        client
            .put(
                "/v1/services/knobs/scaling",
                JSON.createObjectNode().put("cpuTarget", 0.6).put("coolDownSeconds", 120))
            .path("scaling");
    assertThat(cpu.path("metric").asText()).isEqualTo("cpu");
    assertThat(cpu.path("target").asText()).isEqualTo("0.60 cores");
    assertThat(cpu.path("coolDownSeconds").asDouble()).isEqualTo(120);

    assertThatThrownBy(
            () ->
                client.put(
                    "/v1/services/knobs/scaling", JSON.createObjectNode().put("metric", "memory")))
        .isInstanceOf(AdminClientException.class)
        .hasMessageContaining("\"memory\" is not a metric the daemon scales on");
    assertThatThrownBy(
            () ->
                client.put(
                    "/v1/services/knobs/scaling",
                    JSON.createObjectNode().put("coolDownSeconds", 2)))
        .isInstanceOf(AdminClientException.class)
        .hasMessageContaining("cool-down must be from 6 s to 1 h");

    JsonNode back =
        client
            .put(
                "/v1/services/knobs/scaling",
                JSON.createObjectNode().put("metric", "concurrency").put("coolDownSeconds", 0))
            .path("scaling");
    assertThat(back.path("metric").asText()).isEqualTo("concurrency");
    assertThat(back.has("coolDownSeconds")).isFalse();
  }

  @Test
  void theClientTurnsErrorsIntoMessagesAndHints() throws Exception {
    AdminClient client = AdminClient.connect(state);
    assertThat(client.get("/v1/health").path("ok").asBoolean()).isTrue();
    assertThatThrownBy(() -> client.get("/v1/services/nope/revisions"))
        .isInstanceOf(AdminClientException.class)
        .hasMessage("there is no service named nope")
        .satisfies(e -> assertThat(((AdminClientException) e).status()).isEqualTo(404));

    // A deploy of a folder that is not there fails in the stream, with the daemon's words.
    JsonNode body = JSON.createObjectNode().put("path", state.resolve("missing").toString());
    assertThatThrownBy(() -> client.stream("/v1/deploy", body, event -> {}))
        .isInstanceOf(AdminClientException.class)
        .hasMessageContaining("is not a folder");
  }

  @Test
  void aSecondDaemonOnTheSameStateDirectoryIsRefused() throws Exception {
    Daemon second = new Daemon(TestDaemons.settings(state));
    assertThatThrownBy(second::start)
        .isInstanceOf(DaemonFailure.class)
        .hasMessageContaining("already uses the state directory");
    second.close();
    assertThat(ServerInfo.read(state).pid()).isEqualTo(ProcessHandle.current().pid());
  }

  @Test
  void aDaemonThatIsNotRunningSaysHowToStartIt(@TempDir Path elsewhere) {
    assertThatThrownBy(() -> AdminClient.connect(elsewhere))
        .isInstanceOf(AdminClientException.class)
        .hasMessageContaining("not running")
        .satisfies(e -> assertThat(((AdminClientException) e).hint()).contains("pylon server"));
  }

  private static HttpResponse<String> send(String method, String path, String auth, String body)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + info.adminPort() + path))
            .timeout(Duration.ofSeconds(10))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (auth != null) {
      request.header("Authorization", auth);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
