package dev.pylon.revision;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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

    assertThat(
            EnvironmentProblems.pipFailed(Path.of("requirements.txt"), pip, false, Map.of())
                .message())
        .contains("pip said: No matching distribution found for x==1.")
        .contains("PIP_FIND_LINKS");
  }

  private static final CommandResult NOT_FOUND =
      new CommandResult(
          1,
          List.of(
              "ERROR: Could not find a version that satisfies the requirement flask-login (from"
                  + " versions: none)",
              "ERROR: No matching distribution found for flask-login"),
          Duration.ofSeconds(1));

  @Test
  void pipHintsSuggestOnlyWhatIsNotInEffectAlready() {
    String withEverything =
        EnvironmentProblems.pipFailed(
                Path.of("requirements.txt"),
                NOT_FOUND,
                true,
                Map.of("PIP_NO_INDEX", "1", "PIP_FIND_LINKS", "/srv/wheels"))
            .message();
    assertThat(withEverything)
        .doesNotContain("set PIP_NO_INDEX")
        .doesNotContain("use --system-site-packages")
        .contains("are all in effect, so flask-login is in none of them")
        .contains("put its wheel in /srv/wheels")
        .contains("apt-get install python3-flask-login");

    String offlineWithoutWheels =
        EnvironmentProblems.pipFailed(
                Path.of("requirements.txt"), NOT_FOUND, true, Map.of("PIP_NO_INDEX", "1"))
            .message();
    assertThat(offlineWithoutWheels)
        .doesNotContain("set PIP_NO_INDEX")
        .doesNotContain("--system-site-packages")
        .contains("set PIP_FIND_LINKS=<a folder of wheels>");

    String systemPackagesOnly =
        EnvironmentProblems.pipFailed(Path.of("requirements.txt"), NOT_FOUND, true, Map.of())
            .message();
    assertThat(systemPackagesOnly)
        .contains("set PIP_NO_INDEX=1 and PIP_FIND_LINKS")
        .doesNotContain("--system-site-packages");
  }
}
