package dev.pylon.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** inspect, build and export as a user runs them: through the launcher, on the examples. */
class CliCommandsIT {
  private static final Duration EXIT = Duration.ofSeconds(120);
  @TempDir Path state;
  @TempDir Path work;

  private String run(int expectedExit, String... args) throws Exception {
    try (PylonProcess pylon = PylonProcess.start(Map.of(), args)) {
      assertThat(pylon.awaitExit(EXIT)).as(pylon.output()).isEqualTo(expectedExit);
      return pylon.output();
    }
  }

  @Test
  void inspectSaysWhatWillRunAndWhy() throws Exception {
    String human = run(0, "inspect", "examples/flask");
    assertThat(human)
        .contains("gunicorn --bind 127.0.0.1:$PORT --workers 1 --threads 8 --timeout 0 main:app")
        .contains("requirements.txt");
    String json = run(0, "inspect", "examples/hello", "--json");
    assertThat(json).contains("\"server\"").contains("main:app");
  }

  @Test
  void aSecondBuildOfTheSameSourceIsTheSameRevisionFromCache() throws Exception {
    String first = run(0, "build", "examples/hello", "--json", "--state-dir", state.toString());
    String second = run(0, "build", "examples/hello", "--json", "--state-dir", state.toString());
    String revision = first.replaceAll("(?s).*\"revision\" : \"([^\"]+)\".*", "$1");
    assertThat(revision).startsWith("hello-");
    assertThat(second).contains("\"revision\" : \"" + revision + "\"");
    assertThat(second).contains("\"snapshotReused\" : true");
    String quiet = run(0, "build", "examples/hello", "--quiet", "--state-dir", state.toString());
    assertThat(quiet.strip()).isEqualTo(revision);
  }

  @Test
  void dockerfileAndManifestsAreWrittenAndKeptUnlessForced() throws Exception {
    Path app = work.resolve("flask");
    Files.createDirectories(app);
    for (String file : new String[] {"main.py", "requirements.txt"}) {
      Files.copy(
          PylonProcess.sourceRoot().resolve("examples/flask").resolve(file), app.resolve(file));
    }
    assertThat(run(0, "build", app.toString(), "--dockerfile")).contains("wrote");
    assertThat(Files.readString(app.resolve("Dockerfile")))
        .contains("FROM python:")
        .contains("COPY requirements.txt")
        .contains("CMD [\"gunicorn\"");
    assertThat(run(0, "build", app.toString(), "--dockerfile")).contains("kept");

    run(0, "export", app.toString(), "--to", "kubernetes", "--image", "example/flask:1");
    assertThat(Files.readString(app.resolve("kubernetes.yaml")))
        .contains("kind: Deployment")
        .contains("image: example/flask:1");
    run(0, "export", app.toString(), "--to", "knative");
    assertThat(Files.readString(app.resolve("knative-service.yaml")))
        .contains("serving.knative.dev/v1")
        .contains("containerConcurrency: 80");
  }
}
