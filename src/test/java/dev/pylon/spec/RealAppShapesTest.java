package dev.pylon.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shapes of real apps that need a folder around the app (a parent with the dependencies) or the
 * words `pylon inspect` prints; the rest are fixture folders under spec/apps.
 */
class RealAppShapesTest {
  @TempDir Path root;

  private final SpecLoader loader = new SpecLoader(TestPythons.FINDER, Duration.ZERO);

  private static final String FASTAPI = "from fastapi import FastAPI\n\napp = FastAPI()\n";

  @Test
  void aSubfolderWithoutItsParentsRequirementsIsToldWhatItLeavesBehind() throws IOException {
    Files.writeString(root.resolve("requirements.txt"), "flask\n");
    Path app = Files.createDirectories(root.resolve("app"));
    Files.writeString(
        app.resolve("main.py"),
        "def app(environ, start_response):\n"
            + "    start_response('200 OK', [])\n"
            + "    return [b'hi']\n");

    SpecResult.Loaded loaded = (SpecResult.Loaded) loader.load(app, SpecOverrides.none());

    assertThat(loaded.warnings()).hasSize(1);
    SpecProblem w = loaded.warnings().get(0);
    assertThat(w.file()).isEqualTo(app);
    assertThat(w.message())
        .isEqualTo(
            "this folder has no requirements.txt or pyproject.toml, but its parent has"
                + " requirements.txt, which Pylon does not install: it serves only the folder it is"
                + " given");
    assertThat(w.hint())
        .startsWith("copy " + root.resolve("requirements.txt") + " into this folder");
  }

  @Test
  void anAsgiAppWithoutAServerNamesTheFolderNotARequirementsFileThatDoesNotExist()
      throws IOException {
    Files.writeString(root.resolve("requirements.txt"), "fastapi\nuvicorn\n");
    Path app = Files.createDirectories(root.resolve("app"));
    Files.writeString(app.resolve("main.py"), FASTAPI);

    SpecResult.Invalid invalid = (SpecResult.Invalid) loader.load(app, SpecOverrides.none());

    List<Path> named = invalid.errors().stream().map(SpecProblem::file).toList();
    assertThat(named).containsExactly(app).doesNotContain(app.resolve("requirements.txt"));
    assertThat(invalid.errors().get(0).hint())
        .startsWith("create requirements.txt in this folder with the line `uvicorn`");
  }

  @Test
  void inspectShowsAppEngineHealthCheckDefaultsAndWhereTheyComeFrom() throws IOException {
    Files.writeString(root.resolve("app.yaml"), "runtime: python\nenv: flex\n");
    Files.writeString(
        root.resolve("main.py"),
        "def app(environ, start_response):\n"
            + "    start_response('200 OK', [])\n"
            + "    return [b'hi']\n");

    SpecResult.Loaded loaded = (SpecResult.Loaded) loader.load(root, SpecOverrides.none());
    String shown = SpecReport.human(loaded.spec(), loaded.warnings());

    assertThat(shown)
        .contains(
            "readiness     TCP connect every 5s, timeout 4s, unhealthy after 2 failed, healthy"
                + " after 2 passed")
        .contains(
            "<- App Engine flexible's default readiness check (app.yaml has no readiness_check)")
        .contains(
            "liveness      TCP connect every 30s, timeout 4s, after 300s, unhealthy after 4"
                + " failed, healthy after 2 passed")
        .contains(
            "<- App Engine flexible's default liveness check (app.yaml has no liveness_check)");
    assertThat(loaded.spec().probes().readiness().startTimeout()).hasSeconds(300);
    assertThat(SpecReport.json(loaded.spec(), loaded.warnings()))
        .contains("\"startTimeoutSeconds\" : 300")
        .contains("\"initialDelaySeconds\" : 300.0");
  }

  @Test
  void aDockerfileCommandOnAFixedPortIsSetAsideForTheProcfile() throws IOException {
    Files.writeString(
        root.resolve("Dockerfile"), "FROM python:3.11\nCMD python main.py --port 80\n");
    Files.writeString(root.resolve("Procfile"), "web: python main.py --port $PORT\n");
    Files.writeString(root.resolve("main.py"), "print('serves')\n");

    SpecResult.Loaded loaded = (SpecResult.Loaded) loader.load(root, SpecOverrides.none());

    assertThat(loaded.spec().server().shellCommand()).isEqualTo("python main.py --port $PORT");
    assertThat(loaded.spec().server().reason()).contains("Procfile:1");
    assertThat(loaded.warnings())
        .extracting(SpecProblem::message)
        .contains(
            "Pylon does not run the Dockerfile's command: the entrypoint listens on the fixed port"
                + " 80, but each instance gets its own port in $PORT");
  }

  @Test
  void anAppYamlCustomRuntimeWithoutADockerfileIsServedWithAWarning() throws IOException {
    Files.writeString(
        root.resolve("app.yaml"), "runtime: custom\nenv: flex\nentrypoint: python main.py\n");
    Files.writeString(root.resolve("main.py"), "print('serves')\n");

    SpecResult.Loaded loaded = (SpecResult.Loaded) loader.load(root, SpecOverrides.none());

    assertThat(loaded.spec().server().shellCommand()).isEqualTo("python main.py");
    assertThat(loaded.warnings())
        .extracting(SpecProblem::message)
        .contains(
            "runtime: custom builds the folder's Dockerfile, and there is none; Pylon serves what"
                + " it finds instead");
  }
}
