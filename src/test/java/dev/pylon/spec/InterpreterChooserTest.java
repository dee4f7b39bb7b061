package dev.pylon.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InterpreterChooserTest {
  private static final Path SYSTEM = Path.of("/usr/bin/python3");

  /** A machine whose PATH holds only the given interpreter, with no pyenv or uv. */
  private static PythonFinder onlyOnPath(Path home, Path python) throws Exception {
    Path bin = Files.createDirectories(home.resolve("bin"));
    Files.createSymbolicLink(bin.resolve("python3"), python);
    return new PythonFinder(Map.of("PATH", bin.toString()), home, Duration.ofSeconds(10));
  }

  @Test
  void withNoRequestTheFirstPython3OnPathIsChosen(@TempDir Path home) throws Exception {
    assumeTrue(Files.isExecutable(SYSTEM));
    InterpreterChooser chooser = new InterpreterChooser(onlyOnPath(home, SYSTEM));

    InterpreterChooser.Choice choice = chooser.choose(List.of());

    assertThat(choice.errors()).isEmpty();
    assertThat(choice.interpreter().orElseThrow().decidedBy())
        .endsWith("the first python3 on PATH (nothing asks for a version)");
  }

  /** Moved from the deleted revision.InterpreterFinderTest, on the live chooser. */
  @Test
  void findsAnInterpreterOfTheWantedMinorOrPatchVersion(@TempDir Path home) throws Exception {
    assumeTrue(Files.isExecutable(SYSTEM));
    InterpreterChooser chooser = new InterpreterChooser(onlyOnPath(home, SYSTEM));
    Origin at = new Origin(Path.of(".python-version"), 1, 1, "3.11");

    Interpreter minor =
        chooser
            .choose(List.of(PythonRequest.versionOrPath("3.11", at).orElseThrow()))
            .interpreter()
            .orElseThrow();
    assertThat(minor.version()).isEqualTo("3.11.2");
    assertThat(
            chooser
                .choose(List.of(PythonRequest.versionOrPath("3.11.2", at).orElseThrow()))
                .interpreter())
        .isPresent();
    assertThat(chooser.choose(List.of()).interpreter()).isPresent();
  }

  /** Moved from the deleted revision.InterpreterFinderTest, on the live finder and chooser. */
  @Test
  void findsPyenvInstallsNewestPatchFirst(@TempDir Path elsewhere) throws Exception {
    Path pyenv = Path.of(System.getProperty("user.home"), ".pyenv");
    assumeTrue(Files.isDirectory(pyenv.resolve("versions/3.9.18")), "pyenv 3.9.18 installed");
    PythonFinder finder =
        new PythonFinder(
            Map.of("PATH", "/nonexistent", "PYENV_ROOT", pyenv.toString()),
            Path.of(System.getProperty("user.home")),
            Duration.ofSeconds(10));
    Origin at = new Origin(Path.of(".python-version"), 1, 1, "3.9");

    Interpreter found =
        new InterpreterChooser(finder)
            .choose(List.of(PythonRequest.versionOrPath("3.9", at).orElseThrow()))
            .interpreter()
            .orElseThrow();

    assertThat(found.version()).startsWith("3.9.");
    assertThat(found.executable()).startsWith(pyenv.resolve("versions"));
  }

  @Test
  void aVersionThatIsNotInstalledListsWhatIs(@TempDir Path home) throws Exception {
    assumeTrue(Files.isExecutable(SYSTEM));
    InterpreterChooser chooser = new InterpreterChooser(onlyOnPath(home, SYSTEM));
    Origin at = new Origin(Path.of(".python-version"), 1, 1, "3.99");

    InterpreterChooser.Choice choice =
        chooser.choose(List.of(PythonRequest.versionOrPath("3.99", at).orElseThrow()));

    assertThat(choice.interpreter()).isEmpty();
    SpecProblem error = choice.errors().get(0);
    assertThat(error.render())
        .startsWith(".python-version:1:1: Python 3.99 is requested but not installed here")
        .contains("hint: installed: 3.")
        .contains("Install it with `pyenv install 3.99` or `uv python install 3.99`");
  }

  @Test
  void anEndOfLifeDefaultIsUsedWithAWarning(@TempDir Path home) throws Exception {
    Path old = Path.of(System.getProperty("user.home"), ".pyenv/versions/3.9.18/bin/python3");
    assumeTrue(Files.isExecutable(old));
    InterpreterChooser chooser = new InterpreterChooser(onlyOnPath(home, old));

    InterpreterChooser.Choice choice = chooser.choose(List.of());

    assertThat(choice.interpreter().orElseThrow().version()).isEqualTo("3.9.18");
    assertThat(choice.warnings())
        .extracting(SpecProblem::message)
        .containsExactly(
            "Python 3.9 reached its end of life on 2025-10-31 and gets no security fixes");
  }
}
