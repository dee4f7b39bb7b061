package dev.pylon.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Flags > service.yaml > app.yaml > Procfile > detection, peeled one layer at a time. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrecedenceTest {
  private final SpecLoader loader = new SpecLoader(TestPythons.FINDER, Duration.ZERO);
  @TempDir Path dir;

  @BeforeEach
  void everySourceSpeaks() throws Exception {
    Files.writeString(dir.resolve("main.py"), "def app(environ, start_response):\n    return []\n");
    Files.writeString(dir.resolve("requirements.txt"), "gunicorn\n");
    Files.writeString(dir.resolve("Procfile"), "web: python procfile.py $PORT\n");
    Files.writeString(
        dir.resolve("app.yaml"),
        "runtime: python\nenv: flex\nservice: from-app-yaml\nentrypoint: python appyaml.py $PORT\n");
    Files.writeString(
        dir.resolve("service.yaml"),
        """
        apiVersion: serving.knative.dev/v1
        kind: Service
        metadata:
          name: from-service-yaml
        spec:
          template:
            spec:
              containers:
              - command: ["python", "serviceyaml.py", "$(PORT)"]
        """);
  }

  private ServiceSpec load(SpecOverrides overrides) {
    SpecResult r = loader.load(dir, overrides);
    assertThat(r).isInstanceOf(SpecResult.Loaded.class);
    return ((SpecResult.Loaded) r).spec();
  }

  @Test
  void flagsWinOverEveryFile() {
    ServiceSpec s =
        load(SpecOverrides.none().withEntrypoint("python flag.py $PORT").withService("from-flag"));

    assertThat(s.server().shellCommand()).isEqualTo("python flag.py $PORT");
    assertThat(s.name()).isEqualTo("from-flag");
  }

  @Test
  void serviceYamlWinsOverAppYamlAndProcfile() {
    ServiceSpec s = load(SpecOverrides.none());

    assertThat(s.server().shellCommand()).isEqualTo("python serviceyaml.py $PORT");
    assertThat(s.name()).isEqualTo("from-service-yaml");
  }

  @Test
  void appYamlWinsOverProcfile() throws Exception {
    Files.delete(dir.resolve("service.yaml"));

    ServiceSpec s = load(SpecOverrides.none());

    assertThat(s.server().shellCommand()).isEqualTo("python appyaml.py $PORT");
    assertThat(s.name()).isEqualTo("from-app-yaml");
  }

  @Test
  void procfileWinsOverDetection() throws Exception {
    Files.delete(dir.resolve("service.yaml"));
    Files.delete(dir.resolve("app.yaml"));

    ServiceSpec s = load(SpecOverrides.none());

    assertThat(s.server().shellCommand()).isEqualTo("python procfile.py $PORT");
    assertThat(s.name()).isEqualTo(ServiceNames.sanitize(dir.getFileName().toString()));
  }

  @Test
  void detectionDecidesWhenNoFileSpeaks() throws Exception {
    Files.delete(dir.resolve("service.yaml"));
    Files.delete(dir.resolve("app.yaml"));
    Files.delete(dir.resolve("Procfile"));

    ServiceSpec s = load(SpecOverrides.none());

    assertThat(s.server().kind()).isEqualTo(ServerCommand.Kind.GUNICORN);
    assertThat(s.server().displayCommand())
        .isEqualTo("gunicorn --bind 127.0.0.1:$PORT --workers 1 --threads 8 --timeout 0 main:app");
  }
}
