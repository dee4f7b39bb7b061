package dev.pylon.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pylon.revision.LocalPythonMirror;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pylon python install} and {@code list} through the launcher, against a mirror on loopback;
 * and app.yaml's {@code python_version: 3} as the public samples write it.
 */
class PythonCommandsIT {
  private static final Duration EXIT = Duration.ofSeconds(120);
  @TempDir Path state;
  @TempDir Path work;

  private static String run(Map<String, String> env, int expectedExit, String... args)
      throws Exception {
    try (PylonProcess pylon = PylonProcess.start(env, args)) {
      assertThat(pylon.awaitExit(EXIT)).as(pylon.output()).isEqualTo(expectedExit);
      return pylon.output();
    }
  }

  @Test
  void anInstalledBuildIsListedReusedAndServesAnApp() throws Exception {
    try (LocalPythonMirror mirror = LocalPythonMirror.start()) {
      String line = mirror.version().substring(0, mirror.version().lastIndexOf('.'));
      String installed =
          run(mirror.env(), 0, "python", "install", line, "--state-dir", state.toString());
      Path python =
          state
              .resolve("pythons")
              .resolve("cpython-" + mirror.version() + "-x86_64-unknown-linux-gnu");
      assertThat(installed)
          .contains("pylon: downloading Python " + mirror.version() + " from " + mirror.base())
          .contains("SHA-256 checked")
          .contains("pylon: installed Python " + mirror.version() + " at ");

      String again =
          run(
              mirror.env(),
              0,
              "python",
              "install",
              line,
              "--state-dir",
              state.toString(),
              "--json");
      assertThat(again).contains("\"reused\" : true").doesNotContain("downloading");
      assertThat(mirror.archiveRequests()).isEqualTo(1);

      String list = run(Map.of(), 0, "python", "list", "--state-dir", state.toString());
      assertThat(list)
          .as("pyenv's python3 on PATH, Debian's, and the provisioned build")
          .containsPattern("\\*\\s+3\\.11\\.7\\s+PATH\\s+/root/\\.pyenv/versions/3\\.11\\.7/")
          .containsPattern("3\\.11\\.2\\s+(PATH|system)\\s+/usr/bin/python3")
          .containsPattern(mirror.version().replace(".", "\\.") + "\\s+pylon\\s+" + state);

      Path app = Files.createDirectories(work.resolve("hello"));
      Files.writeString(
          app.resolve("main.py"),
          "import sys\n"
              + "def app(environ, start_response):\n"
              + "    start_response('200 OK', [('Content-Type', 'text/plain')])\n"
              + "    return [sys.prefix.encode()]\n");
      int port = Http.freePort();
      Path executable = python.resolve("bin/python3");
      try (PylonProcess pylon =
          PylonProcess.serving(
              Map.of(),
              state,
              port,
              app.toString(),
              "--instances",
              "1",
              "--python",
              executable.toString())) {
        assertThat(new Http().get(port, "/").body())
            .as(pylon.output())
            .isEqualTo(python.toString());
      }
    }
  }

  @Test
  void aVersionTheReleaseLacksIsRefusedWithWhatItHas() throws Exception {
    try (LocalPythonMirror mirror = LocalPythonMirror.start()) {
      String out =
          run(mirror.env(), 1, "python", "install", "3.99", "--state-dir", state.toString());
      assertThat(out)
          .contains(
              "cannot install Python 3.99: python-build-standalone " + LocalPythonMirror.RELEASE)
          .contains("has no build of Python 3.99 for this machine")
          .contains("hint: it has " + mirror.version());
    }
  }

  @Test
  void anAppYamlSampleWithPythonVersion3IsServedOnAnInstalledPython3() throws Exception {
    Path app = Files.createDirectories(work.resolve("sample"));
    Files.writeString(
        app.resolve("app.yaml"),
        "runtime: python\nenv: flex\nentrypoint: gunicorn -b :$PORT main:app\n\nruntime_config:\n"
            + "  python_version: 3\n");
    Files.writeString(app.resolve("requirements.txt"), "Flask\ngunicorn\n");
    Files.writeString(
        app.resolve("main.py"),
        "from flask import Flask\napp = Flask(__name__)\n\n@app.route('/')\ndef hello():\n"
            + "    return 'Hello World!'\n");

    String inspected = run(Map.of(), 0, "inspect", app.toString(), "--state-dir", state.toString());
    assertThat(inspected)
        .contains(
            "python_version 3 means Python 3.6.10 on App Engine flexible (end of life 2021-12-23)");

    String overridden =
        run(
            Map.of(),
            0,
            "inspect",
            app.toString(),
            "--python",
            "/usr/bin/python3",
            "--state-dir",
            state.toString());
    assertThat(overridden).contains("it is ignored here: --python decides 3.11.2");
  }
}
