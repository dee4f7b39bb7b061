package dev.pylon.spec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpecReportTest {
  private final SpecLoader loader = new SpecLoader(TestPythons.FINDER, Duration.ZERO);

  private SpecResult.Loaded flaskApp(Path dir) throws Exception {
    Files.writeString(dir.resolve("main.py"), "from flask import Flask\napp = Flask(__name__)\n");
    Files.writeString(dir.resolve("requirements.txt"), "flask\ngunicorn\n");
    Files.writeString(dir.resolve("Procfile"), "release: python migrate.py\n");
    Files.writeString(
        dir.resolve("app.yaml"),
        "runtime: python\nenv: flex\nenv_variables:\n  GREETING: hola\nnetwork:\n"
            + "  session_affinity: true\n");
    return (SpecResult.Loaded) loader.load(dir, SpecOverrides.none());
  }

  @Test
  void humanReportSaysWhatAndWhichFileDecided(@TempDir Path dir) throws Exception {
    SpecResult.Loaded loaded = flaskApp(dir);

    String report = SpecReport.human(loaded.spec(), loaded.warnings());

    assertThat(report)
        .contains(
            "command       gunicorn --bind 127.0.0.1:$PORT --workers 1 --threads 8 --timeout 0"
                + " main:app")
        .contains(
            "<- main:app is a WSGI app and the dependencies include gunicorn (declared in"
                + " requirements.txt)")
        .contains("dependencies  requirements: flask, gunicorn")
        .contains("scaling       2 to 20 instances")
        .contains("environment   GREETING=hola")
        .contains("pre-start     python migrate.py")
        .contains("warnings:")
        .contains("`session_affinity` in network has no effect on one machine");
  }

  @Test
  void jsonHasTheDocumentedKeys(@TempDir Path dir) throws Exception {
    SpecResult.Loaded loaded = flaskApp(dir);

    JsonNode json = new ObjectMapper().readTree(SpecReport.json(loaded.spec(), loaded.warnings()));

    List<String> keys = new ArrayList<>();
    json.fieldNames().forEachRemaining(keys::add);
    assertThat(keys)
        .containsExactly(
            "service",
            "sourceDir",
            "python",
            "dependencies",
            "app",
            "server",
            "threads",
            "instances",
            "scaling",
            "concurrency",
            "probes",
            "resources",
            "env",
            "preStart",
            "fromAppYaml",
            "warnings");
    assertThat(json.at("/server/kind").asText()).isEqualTo("GUNICORN");
    assertThat(json.at("/server/args/1").asText()).isEqualTo("127.0.0.1:$PORT");
    assertThat(json.at("/app/kind").asText()).isEqualTo("WSGI");
    assertThat(json.at("/scaling/minInstances").asInt()).isEqualTo(2);
    assertThat(json.at("/env/GREETING").asText()).isEqualTo("hola");
    assertThat(json.at("/warnings/0/line").asInt()).isEqualTo(6);
  }

  @Test
  void errorsAsJsonKeepTheirPlace(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("main.py"), "def app(environ, start_response):\n    return []\n");
    Files.writeString(dir.resolve("app.yaml"), "runtime: python\nenv: flex\nservic: x\n");

    SpecResult.Invalid invalid = (SpecResult.Invalid) loader.load(dir, SpecOverrides.none());
    JsonNode json = new ObjectMapper().readTree(SpecReport.json(invalid));

    assertThat(json.at("/errors/0/line").asInt()).isEqualTo(3);
    assertThat(json.at("/errors/0/column").asInt()).isEqualTo(1);
    assertThat(json.at("/errors/0/message").asText()).isEqualTo("unknown key `servic`");
    assertThat(json.at("/errors/0/hint").asText()).isEqualTo("did you mean `service`?");
    assertThat(json.at("/errors/0/sourceLine").asText()).isEqualTo("servic: x");
  }
}
