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
 * A request for one patch release takes an installed release of the same line, as buildpacks do.
 */
class PatchLevelRequestTest {
  private static final Path PYENV_310 =
      Path.of(System.getProperty("user.home"), ".pyenv/versions/3.10.13/bin/python3");

  private static List<PythonVersion> versions(String... v) {
    return java.util.Arrays.stream(v).map(s -> PythonVersion.parse(s).orElseThrow()).toList();
  }

  private static PythonRequest request(String text) {
    return PythonRequest.versionOrSpecifier(text, Origin.ofFlag("--python")).orElseThrow();
  }

  @Test
  void anInstalledPatchOfTheSameLineIsTakenWithAWarning(@TempDir Path home) throws Exception {
    assumeTrue(Files.isExecutable(PYENV_310), "pyenv's 3.10.13 is not installed");
    Path bin = Files.createDirectories(home.resolve("bin"));
    Files.createSymbolicLink(bin.resolve("python3.10"), PYENV_310);
    PythonFinder finder =
        new PythonFinder(
            Map.of("PATH", bin.toString()),
            home,
            Duration.ofSeconds(10),
            List.of(),
            Optional.empty());
    Origin at = new Origin(Path.of("runtime.txt"), 1, 1, "python-3.10.2");

    InterpreterChooser.Choice choice =
        new InterpreterChooser(finder)
            .choose(List.of(PythonRequest.versionOrPath("3.10.2", at).orElseThrow()));

    assertThat(choice.errors()).isEmpty();
    assertThat(choice.interpreter().orElseThrow().version()).isEqualTo("3.10.13");
    assertThat(choice.warnings())
        .extracting(SpecProblem::render)
        .contains(
            "runtime.txt:1:1: asks for Python 3.10.2, which is not installed; Pylon uses 3.10.13,"
                + " the installed 3.10 release\n"
                + "  1 | python-3.10.2\n"
                + "    | ^\n"
                + "  hint: releases of one line differ only in fixes; write 3.10 to accept any of"
                + " them");
  }

  @Test
  void onlyARequestForOnePatchReleaseIsRelaxed() {
    assertThat(request("3.10.2").patchRelaxed().orElseThrow().text()).isEqualTo("3.10");
    assertThat(request("==3.10.2").patchRelaxed().orElseThrow().text()).isEqualTo("3.10");
    assertThat(request("3.10").patchRelaxed()).isEmpty();
    assertThat(request(">=3.10.2").patchRelaxed()).isEmpty();
    assertThat(request("==3.10.*").patchRelaxed()).isEmpty();
    assertThat(request(">=3.10.2,<3.11").patchRelaxed()).isEmpty();
  }

  @Test
  void theNewestMatchingBuildIsChosen() {
    List<PythonVersion> builds = versions("3.10.19", "3.11.14", "3.12.12", "3.13.9", "3.14.0");

    assertThat(DownloadChoice.of(request("3.12"), builds))
        .contains(new DownloadChoice(PythonVersion.parse("3.12.12").orElseThrow(), false));
    assertThat(DownloadChoice.of(request(">=3.11,<3.14"), builds))
        .contains(new DownloadChoice(PythonVersion.parse("3.13.9").orElseThrow(), false));
    assertThat(DownloadChoice.of(request("3"), builds))
        .contains(new DownloadChoice(PythonVersion.parse("3.14.0").orElseThrow(), false));
    assertThat(DownloadChoice.of(request("3.14.0"), builds))
        .contains(new DownloadChoice(PythonVersion.parse("3.14.0").orElseThrow(), false));
  }

  @Test
  void aPatchNoBuildHasTakesTheNewestOfItsLineAndSaysSo() {
    List<PythonVersion> builds = versions("3.12.12", "3.12.11", "3.13.9");

    assertThat(DownloadChoice.of(request("3.12.4"), builds))
        .contains(new DownloadChoice(PythonVersion.parse("3.12.12").orElseThrow(), true));
    assertThat(DownloadChoice.of(request("3.11.4"), builds)).isEmpty();
    assertThat(DownloadChoice.of(request("3.99"), builds)).isEmpty();
  }
}
