package dev.pylon.export;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pylon.spec.Interpreter;
import dev.pylon.spec.ServiceSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A PEP 621 project's builder stage reads {@code [project].dependencies} with a Python one-liner;
 * this runs that exact line over the fixture's pyproject.toml and checks it lists what Pylon read.
 */
class PyprojectInstallTest {
  private final ExportFixtures fixtures = new ExportFixtures();
  private final DockerfileWriter writer = new DockerfileWriter();

  @Test
  void theBuilderListsTheDependenciesPylonRead(@TempDir Path dir) throws Exception {
    ServiceSpec spec = fixtures.spec("pep621");
    String run =
        DockerfileRulesTest.parse(writer.dockerfile(spec)).stream()
            .filter(i -> i.keyword().equals("RUN") && i.args().startsWith("python -c"))
            .findFirst()
            .orElseThrow()
            .args();
    String listing = run.substring(0, run.indexOf("&&")).strip();
    Files.copy(ExportFixtures.APPS.resolve("pep621/pyproject.toml"), dir.resolve("pyproject.toml"));

    Process p =
        new ProcessBuilder("sh", "-c", listing)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(output).isZero();

    assertThat(Files.readAllLines(dir.resolve("requirements.txt"), StandardCharsets.UTF_8))
        .containsExactlyElementsOf(spec.dependencies().requirements());
  }

  @Test
  void beforePython311TheBuilderBringsTomliAndKeepsItOutOfTheImage() {
    ServiceSpec spec = fixtures.spec("pep621");
    ServiceSpec older =
        new ServiceSpec(
            spec.name(),
            spec.sourceDir(),
            new Interpreter(spec.python().executable(), "3.10.14", "test"),
            spec.dependencies(),
            spec.app(),
            spec.server(),
            spec.threads(),
            spec.instances(),
            spec.env(),
            spec.preStart(),
            spec.scaling(),
            spec.probes(),
            spec.resources(),
            spec.concurrency(),
            spec.fromAppYaml(),
            spec.http2());

    List<DockerfileRulesTest.Instruction> all = DockerfileRulesTest.parse(writer.dockerfile(older));

    assertThat(all.get(0).args()).isEqualTo("python:3.10-slim AS builder");
    int finalStage =
        all.lastIndexOf(new DockerfileRulesTest.Instruction("FROM", "python:3.10-slim"));
    assertThat(all.subList(0, finalStage))
        .anyMatch(i -> i.args().contains(DockerfileWriter.TOMLI_REQUIREMENT))
        .anyMatch(i -> i.args().contains("import tomli as tomllib"));
    assertThat(all.subList(finalStage, all.size())).noneMatch(i -> i.args().contains("tomli"));
  }
}
