package dev.pylon.revision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pylon.spec.PythonFinder;
import dev.pylon.spec.SpecLoader;
import dev.pylon.spec.SpecOverrides;
import dev.pylon.spec.SpecProblem;
import dev.pylon.spec.SpecResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An app asks for a Python this machine does not have: reading its folder installs one from the
 * mirror and the spec runs with it. The finder here sees no interpreter but the provisioned ones,
 * which is what a machine without that version looks like.
 */
class ProvisionedSpecTest {

  private static PythonFinder bareMachine(Path home, Path state) {
    return new PythonFinder(
        Map.of("PATH", home.toString()),
        home,
        Duration.ofSeconds(10),
        List.of(),
        Optional.of(state.resolve(PythonFinder.PROVISIONED)));
  }

  private static Path app(Path dir, String file, String content) throws Exception {
    Files.writeString(
        dir.resolve("main.py"),
        "def app(environ, start_response):\n"
            + "    start_response('200 OK', [('Content-Type', 'text/plain')])\n"
            + "    return [b'hi']\n");
    Files.writeString(dir.resolve(file), content);
    return dir;
  }

  @Test
  void aVersionFileThatNamesAMissingVersionIsProvisioned(
      @TempDir Path home, @TempDir Path state, @TempDir Path dir) throws Exception {
    try (LocalPythonMirror mirror = LocalPythonMirror.start()) {
      String line = mirror.version().substring(0, mirror.version().lastIndexOf('.'));
      app(dir, ".python-version", line + "\n");
      SpecLoader loader =
          new SpecLoader(
              bareMachine(home, state), new StandalonePythons(state, mirror.mirror(), l -> {}));

      SpecResult result = loader.load(dir, SpecOverrides.none());

      assertThat(result).isInstanceOf(SpecResult.Loaded.class);
      SpecResult.Loaded loaded = (SpecResult.Loaded) result;
      assertThat(loaded.spec().python().version()).isEqualTo(mirror.version());
      assertThat(loaded.spec().python().executable()).startsWithRaw(state.resolve("pythons"));
      assertThat(loaded.spec().python().decidedBy())
          .endsWith(
              ".python-version:1 asks for "
                  + line
                  + " (not installed here: downloaded from python-build-standalone "
                  + LocalPythonMirror.RELEASE
                  + " ("
                  + mirror.base()
                  + "))");
      assertThat(loaded.spec().app().orElseThrow().kind().name())
          .as("the import probe ran on the provisioned interpreter")
          .isEqualTo("WSGI");

      // The next command (a new finder) finds the build where the first one put it.
      SpecResult again =
          new SpecLoader(
                  bareMachine(home, state), new StandalonePythons(state, mirror.mirror(), l -> {}))
              .load(dir, SpecOverrides.none());
      assertThat(((SpecResult.Loaded) again).spec().python().decidedBy())
          .endsWith(".python-version:1 asks for " + line + " (a build Pylon provisioned earlier)");
      assertThat(mirror.archiveRequests()).isEqualTo(1);
    }
  }

  @Test
  void aPatchReleaseTheMirrorLacksTakesTheNewestOfItsLineWithAWarning(
      @TempDir Path home, @TempDir Path state, @TempDir Path dir) throws Exception {
    try (LocalPythonMirror mirror = LocalPythonMirror.start()) {
      String line = mirror.version().substring(0, mirror.version().lastIndexOf('.'));
      app(dir, "runtime.txt", "python-" + line + ".0\n");
      SpecLoader loader =
          new SpecLoader(
              bareMachine(home, state), new StandalonePythons(state, mirror.mirror(), l -> {}));

      SpecResult.Loaded loaded = (SpecResult.Loaded) loader.load(dir, SpecOverrides.none());

      assertThat(loaded.spec().python().version()).isEqualTo(mirror.version());
      assertThat(loaded.warnings())
          .extracting(SpecProblem::message)
          .contains(
              "asks for Python "
                  + line
                  + ".0, which python-build-standalone "
                  + LocalPythonMirror.RELEASE
                  + " ("
                  + mirror.base()
                  + ") has no build of; Pylon installed "
                  + mirror.version()
                  + ", the newest of that line");
    }
  }

  @Test
  void aVersionNoBuildHasIsAnErrorThatSaysWhatThereIs(
      @TempDir Path home, @TempDir Path state, @TempDir Path dir) throws Exception {
    try (LocalPythonMirror mirror = LocalPythonMirror.start()) {
      app(dir, ".python-version", "3.99\n");
      SpecLoader loader =
          new SpecLoader(
              bareMachine(home, state), new StandalonePythons(state, mirror.mirror(), l -> {}));

      SpecResult.Invalid invalid = (SpecResult.Invalid) loader.load(dir, SpecOverrides.none());

      SpecProblem error = invalid.errors().get(0);
      assertThat(error.message()).isEqualTo("Python 3.99 is requested but not installed here");
      assertThat(error.hint())
          .contains("has no build of it either (it has " + mirror.version() + ")");
      assertThat(mirror.archiveRequests()).isZero();
    }
  }

  @Test
  void aFailedDownloadFailsTheSpecAndSaysWhy(
      @TempDir Path home, @TempDir Path state, @TempDir Path dir) throws Exception {
    try (LocalPythonMirror mirror = LocalPythonMirror.start()) {
      mirror.fail(LocalPythonMirror.Fault.WRONG_CHECKSUM);
      app(dir, ".python-version", mirror.version() + "\n");
      SpecLoader loader =
          new SpecLoader(
              bareMachine(home, state), new StandalonePythons(state, mirror.mirror(), l -> {}));

      SpecResult.Invalid invalid = (SpecResult.Invalid) loader.load(dir, SpecOverrides.none());

      assertThat(invalid.errors().get(0).message())
          .startsWith(
              "Python "
                  + mirror.version()
                  + " is requested but not installed here, and downloading it failed: the"
                  + " download of ")
          .contains("nothing was installed");
    }
  }
}
