package dev.pylon.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PythonFinderTest {

  @Test
  void findsTheSystemPythonByItsRealPathAndVersion() {
    Path system = Path.of("/usr/bin/python3");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(system));
    PythonFinder finder = new PythonFinder();

    PythonFinder.Found found = finder.probe(system).orElseThrow();

    assertThat(found.version()).matches("3\\.\\d+\\.\\d+");
    assertThat(finder.all()).anySatisfy(f -> assertThat(f.version()).isEqualTo(found.version()));
  }

  /**
   * Moved from the deleted revision.InterpreterFinderTest: the real version. (That class also
   * resolved /usr/bin/python3 to python3.11; the live finder keeps the path it probed.)
   */
  @Test
  void probesTheRealVersionOfAnInterpreter() {
    Path system = Path.of("/usr/bin/python3");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(system));

    PythonFinder.Found python = new PythonFinder().probe(system).orElseThrow();

    assertThat(python.version()).isEqualTo("3.11.2");
  }

  @Test
  void theFirstOnPathComesFirstAndEachBinaryOnce(@TempDir Path home) throws Exception {
    Path bin = Files.createDirectories(home.resolve("bin"));
    Files.createSymbolicLink(bin.resolve("python3"), Path.of("/usr/bin/python3"));
    Files.createSymbolicLink(bin.resolve("python3.11"), Path.of("/usr/bin/python3"));
    PythonFinder finder =
        new PythonFinder(Map.of("PATH", bin.toString()), home, Duration.ofSeconds(10));

    assertThat(finder.firstOnPath()).isPresent();
    assertThat(finder.firstOnPath().orElseThrow().foundAs()).isEqualTo(bin.resolve("python3"));
    assertThat(finder.all().stream().map(f -> f.executable().toString()).distinct().count())
        .isEqualTo(finder.all().size());
  }

  @Test
  void somethingThatIsNotPythonIsNotFound(@TempDir Path dir) throws Exception {
    Path fake = dir.resolve("python3");
    Files.writeString(fake, "#!/bin/sh\necho hello\n");
    fake.toFile().setExecutable(true);

    assertThat(new PythonFinder().probe(fake)).isEmpty();
  }
}
