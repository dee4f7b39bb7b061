package dev.pylon.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * App Engine flexible's legacy {@code runtime_config.python_version}, as 11 of 28 public samples
 * write it ({@code python_version: 3}): flags win over it, and {@code 3} alone runs on an installed
 * Python 3 with a warning that names what App Engine would run.
 */
class LegacyPythonVersionTest {
  private static final Path SYSTEM = Path.of("/usr/bin/python3");

  /** A machine whose only interpreter is Debian's, on PATH. */
  private static SpecLoader loader(Path home) throws Exception {
    assumeTrue(Files.isExecutable(SYSTEM));
    Path bin = Files.createDirectories(home.resolve("bin"));
    Files.createSymbolicLink(bin.resolve("python3"), SYSTEM);
    PythonFinder finder =
        new PythonFinder(
            Map.of("PATH", bin.toString()),
            home,
            Duration.ofSeconds(10),
            List.of(),
            Optional.empty());
    return new SpecLoader(finder, Duration.ZERO);
  }

  private static Path sample(Path dir, String pythonVersion) throws Exception {
    Files.writeString(
        dir.resolve("app.yaml"),
        "runtime: python\nenv: flex\nentrypoint: gunicorn -b :$PORT main:app\n\n"
            + "runtime_config:\n  python_version: "
            + pythonVersion
            + "\n");
    Files.writeString(dir.resolve("requirements.txt"), "Flask\ngunicorn\n");
    Files.writeString(dir.resolve("main.py"), "from flask import Flask\napp = Flask(__name__)\n");
    return dir;
  }

  private static String version() throws Exception {
    Process p =
        new ProcessBuilder(
                SYSTEM.toString(), "-c", "import platform; print(platform.python_version())")
            .start();
    return new String(p.getInputStream().readAllBytes()).strip();
  }

  @Test
  void python3AloneRunsOnAnInstalledPython3AndSaysWhatAppEngineWouldRun(
      @TempDir Path home, @TempDir Path dir) throws Exception {
    SpecResult result = loader(home).load(sample(dir, "3"), SpecOverrides.none());

    SpecResult.Loaded loaded = (SpecResult.Loaded) result;
    String v = version();
    assertThat(loaded.spec().python().version()).isEqualTo(v);
    assertThat(loaded.spec().python().decidedBy()).endsWith(": app.yaml:6 asks for 3");
    SpecProblem warning =
        loaded.warnings().stream()
            .filter(w -> w.message().startsWith("python_version"))
            .findFirst()
            .orElseThrow();
    assertThat(warning.location()).endsWith("app.yaml:6:19");
    assertThat(warning.message())
        .isEqualTo(
            "python_version 3 means Python 3.6.10 on App Engine flexible (end of life"
                + " 2021-12-23); Pylon runs it on Python "
                + v
                + ", installed here");
    assertThat(warning.hint())
        .startsWith(
            "write runtime_config: runtime_version: \""
                + v.substring(0, v.lastIndexOf('.'))
                + "\" instead");
  }

  @Test
  void aVersionFileDecidesOverPython3(@TempDir Path home, @TempDir Path dir) throws Exception {
    sample(dir, "3");
    String v = version();
    Files.writeString(dir.resolve(".python-version"), v + "\n");

    SpecResult.Loaded loaded = (SpecResult.Loaded) loader(home).load(dir, SpecOverrides.none());

    assertThat(loaded.spec().python().decidedBy()).endsWith(".python-version:1 asks for " + v);
    assertThat(loaded.warnings())
        .extracting(SpecProblem::message)
        .contains(
            "python_version 3 means Python 3.6.10 on App Engine flexible (end of life"
                + " 2021-12-23); here .python-version:1 decides "
                + v);
  }

  @Test
  void theFlagOverridesAVersionPastItsEndOfLife(@TempDir Path home, @TempDir Path dir)
      throws Exception {
    SpecResult result =
        loader(home).load(sample(dir, "3.7"), SpecOverrides.none().withPython(SYSTEM.toString()));

    SpecResult.Loaded loaded = (SpecResult.Loaded) result;
    assertThat(loaded.spec().python().executable()).isEqualTo(SYSTEM);
    assertThat(loaded.warnings())
        .extracting(SpecProblem::message)
        .contains(
            "python_version 3.7 means Python 3.7.9 on App Engine flexible (end of life"
                + " 2023-06-27); it is ignored here: --python decides "
                + version());
  }

  @Test
  void theFlagOverridesPython3AndPython2(@TempDir Path home, @TempDir Path dir) throws Exception {
    String v = version();
    for (String legacy : List.of("3", "2")) {
      sample(dir, legacy);
      SpecResult result =
          loader(home.resolve(legacy)).load(dir, SpecOverrides.none().withPython(v));

      assertThat(result).as("python_version " + legacy).isInstanceOf(SpecResult.Loaded.class);
      assertThat(((SpecResult.Loaded) result).spec().python().decidedBy())
          .endsWith("--python asks for " + v);
    }
  }

  @Test
  void withoutAFlagAVersionPastItsEndOfLifeIsRefusedAndTheHintNamesTheFlag(
      @TempDir Path home, @TempDir Path dir) throws Exception {
    SpecResult.Invalid invalid =
        (SpecResult.Invalid) loader(home).load(sample(dir, "3.6"), SpecOverrides.none());

    assertThat(invalid.errors())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.message())
                  .isEqualTo(
                      "python_version 3.6 means Python 3.6.10, which reached its end of life on"
                          + " 2021-12-23; Pylon does not run it");
              assertThat(e.hint()).contains("or pass --python 3.12");
            });
  }
}
