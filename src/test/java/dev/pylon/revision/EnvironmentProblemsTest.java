package dev.pylon.revision;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class EnvironmentProblemsTest {

  @Test
  void debianWithoutPython3VenvNamesThePackageToInstall() {
    // What Debian's python3 prints when the python3-venv package is not installed.
    CommandResult debian =
        new CommandResult(
            1,
            List.of(
                "The virtual environment was not created successfully because ensurepip is not",
                "available.  On Debian/Ubuntu systems, you need to install the python3-venv",
                "package using the following command.",
                "",
                "    apt install python3.11-venv"),
            Duration.ofMillis(40));

    EnvironmentResult.Failed failed =
        EnvironmentProblems.venvFailed(
            SystemPython.request(Path.of("/app"), List.of(Path.of("requirements.txt")), true),
            debian);

    assertThat(failed.message())
        .contains("apt-get install python3-venv")
        .contains("python3.11-venv");
    assertThat(failed.outputTail()).hasSize(5);
  }

  @Test
  void pipsOwnErrorLineIsQuotedInTheMessage() {
    CommandResult pip =
        new CommandResult(
            1,
            List.of(
                "ERROR: Could not find a version that satisfies the requirement x==1 (from"
                    + " versions: none)",
                "ERROR: No matching distribution found for x==1"),
            Duration.ofSeconds(1));

    assertThat(EnvironmentProblems.pipFailed(Path.of("requirements.txt"), pip).message())
        .contains("pip said: No matching distribution found for x==1.")
        .contains("PIP_FIND_LINKS");
  }
}
