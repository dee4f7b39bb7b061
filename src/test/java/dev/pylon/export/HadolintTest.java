package dev.pylon.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Runs the real hadolint over each exported Dockerfile when it is on PATH; skipped otherwise. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HadolintTest {
  private final ExportFixtures fixtures = new ExportFixtures();
  private final Exporter exporter = new Exporter();

  List<String> apps() {
    return ExportFixtures.appNames();
  }

  static Optional<Path> hadolint() {
    String path = System.getenv().getOrDefault("PATH", "");
    return Stream.of(path.split(File.pathSeparator))
        .filter(d -> !d.isEmpty())
        .map(d -> Path.of(d, "hadolint"))
        .filter(Files::isExecutable)
        .findFirst();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("apps")
  void hadolintAcceptsTheDockerfile(String app, @TempDir Path dir) throws Exception {
    Optional<Path> hadolint = hadolint();
    assumeTrue(
        hadolint.isPresent(),
        "hadolint is not on PATH (not packaged for this apt); DockerfileRulesTest checks its"
            + " rules instead");
    Path dockerfile = dir.resolve("Dockerfile");
    Files.writeString(
        dockerfile,
        exporter.dockerfile(fixtures.spec(app)).files().get(Exporter.DOCKERFILE),
        StandardCharsets.UTF_8);
    Process p =
        new ProcessBuilder(hadolint.get().toString(), "--no-color", dockerfile.toString())
            .redirectErrorStream(true)
            .start();
    boolean done = p.waitFor(60, TimeUnit.SECONDS);
    if (!done) {
      p.destroyForcibly();
    }
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(done).as("hadolint finished").isTrue();
    assertThat(p.exitValue()).as("hadolint says:\n" + output).isZero();
  }
}
