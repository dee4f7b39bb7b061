package dev.pylon.revision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pylon.revision.InterpreterFinder.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class InterpreterFinderTest {
  /** Only Debian's interpreter: no pyenv, nothing else on PATH. */
  private final InterpreterFinder debianOnly =
      new InterpreterFinder(Map.of("PATH", "/usr/bin:/bin", "PYENV_ROOT", "/nonexistent"));

  @Test
  void probesTheRealVersionOfAnInterpreter() throws Exception {
    Optional<Interpreter> python = debianOnly.probe(SystemPython.PATH);

    assertThat(python).isPresent();
    assertThat(python.get().version()).isEqualTo(SystemPython.VERSION);
    assertThat(python.get().path()).isEqualTo(Path.of("/usr/bin/python3.11"));
  }

  @Test
  void findsAnInterpreterOfTheWantedMinorOrPatchVersion() throws Exception {
    assertThat(debianOnly.find(Optional.of("3.11")))
        .isEqualTo(new Result.Found(new Interpreter(Path.of("/usr/bin/python3.11"), "3.11.2")));
    assertThat(debianOnly.find(Optional.of("3.11.2"))).isInstanceOf(Result.Found.class);
    assertThat(debianOnly.find(Optional.empty())).isInstanceOf(Result.Found.class);
  }

  @Test
  void findsPyenvInstallsNewestPatchFirst() throws Exception {
    Path pyenv = Path.of(System.getProperty("user.home"), ".pyenv");
    assumeTrue(Files.isDirectory(pyenv.resolve("versions/3.9.18")), "pyenv 3.9.18 installed");
    InterpreterFinder finder =
        new InterpreterFinder(Map.of("PATH", "/nonexistent", "PYENV_ROOT", pyenv.toString()));

    Result result = finder.find(Optional.of("3.9"));

    assertThat(result).isInstanceOf(Result.Found.class);
    Interpreter found = ((Result.Found) result).interpreter();
    assertThat(found.version()).startsWith("3.9.");
    assertThat(found.path()).startsWith(pyenv.resolve("versions"));
  }

  @Test
  void aMissingVersionSaysWhatToInstall() throws Exception {
    Result result = debianOnly.find(Optional.of("3.4"));

    assertThat(result).isInstanceOf(Result.NotFound.class);
    assertThat(((Result.NotFound) result).message())
        .contains("No Python 3.4 interpreter")
        .contains("apt-get install python3.4 python3.4-venv");
  }

  @Test
  void versionsMatchByLeadingComponents() {
    Interpreter python = new Interpreter(Path.of("/usr/bin/python3.11"), "3.11.2");

    assertThat(python.matches("3")).isTrue();
    assertThat(python.matches("3.11")).isTrue();
    assertThat(python.matches("3.11.2")).isTrue();
    assertThat(python.matches("3.1")).isFalse();
    assertThat(python.matches("3.11.20")).isFalse();
  }
}
