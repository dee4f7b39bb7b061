package dev.pylon.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Apps of the shapes people write (issue 11), served by {@code ./pylon run} with Debian's python3
 * and its Flask, gunicorn, FastAPI and uvicorn: each must answer 200 through the router.
 */
class RealAppsIT {
  /** Debian's packages stand in for PyPI; Debian's fastapi pins a starlette it does not ship. */
  private static final Map<String, String> OFFLINE_PIP =
      Map.of("PIP_NO_INDEX", "1", "PIP_NO_DEPS", "1");

  private final Http http = new Http();
  @TempDir Path state;

  private static String app(String name) {
    return PylonProcess.sourceRoot()
        .resolve("src/test/resources/spec/apps")
        .resolve(name)
        .toString();
  }

  private void serves(String app, String body, String... flags) throws Exception {
    int port = Http.freePort();
    List<String> extra =
        new java.util.ArrayList<>(
            List.of("--python", "/usr/bin/python3", "--system-site-packages", "--instances", "1"));
    extra.addAll(List.of(flags));
    try (PylonProcess pylon =
        PylonProcess.serving(OFFLINE_PIP, state, port, app, extra.toArray(String[]::new))) {
      HttpResponse<String> response = http.get(port, "/");
      assertThat(response.statusCode()).as(pylon.output()).isEqualTo(200);
      assertThat(response.body()).contains(body);
      List<ProcessHandle> started = pylon.descendants();
      pylon.signal("TERM");
      pylon.awaitExit(Duration.ofSeconds(30));
      assertThat(started).noneMatch(ProcessHandle::isAlive);
    }
  }

  @Test
  void aFlaskFactoryIsCalledByGunicorn() throws Exception {
    serves(
        app("flask-factory-flag-system-python"),
        "made by create_app",
        "--app",
        "flaskr:create_app");
  }

  @Test
  void flasksConventionCallsTheFactoryOnTheBuiltInWorker() throws Exception {
    serves(app("flask-factory-convention-system-python"), "made by create_app", "--app", "flaskr");
  }

  @Test
  void aFastApiFactoryRunsOnUvicornWithFactory() throws Exception {
    serves(app("fastapi-factory-system-python"), "create_app", "--app", "main:create_app");
  }

  @Test
  void aProcfileGunicornWithoutBindListensOnPortByItself() throws Exception {
    serves(app("procfile-gunicorn-no-bind"), "gunicorn found PORT by itself");
  }

  @Test
  void aMainPyThatServesPortItselfRunsFromItsProcfile() throws Exception {
    serves(app("entrypoint-self-serving"), "served by main.py itself");
  }

  @Test
  void aDockerfileGivesTheCommandAndTheEnvironment() throws Exception {
    serves(app("dockerfile-python-slim"), "hello from the Dockerfile");
  }

  @Test
  void inspectJsonOfAnInvalidFolderPrintsItsErrorsOnStdout(@TempDir Path work) throws Exception {
    Files.writeString(
        work.resolve("app.yaml"), "runtime: python\nenv: flex\nresources:\n  cpu: -1\n");
    try (PylonProcess pylon = PylonProcess.start(Map.of(), "inspect", work.toString(), "--json")) {
      assertThat(pylon.awaitExit(Duration.ofSeconds(120))).isEqualTo(2);
      String out = pylon.output();
      JsonNode json = new ObjectMapper().readTree(out.substring(out.indexOf('{')));
      JsonNode first = json.path("errors").path(0);
      assertThat(first.path("file").asText()).endsWith("app.yaml");
      assertThat(first.path("line").asInt()).isEqualTo(4);
      assertThat(first.has("column")).isTrue();
      assertThat(first.path("message").asText()).isNotEmpty();
      assertThat(first.has("hint")).isTrue();
    }
  }
}
