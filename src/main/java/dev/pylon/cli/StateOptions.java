package dev.pylon.cli;

import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** {@code --state-dir}, shared by every command that keeps state. */
final class StateOptions {
  @Option(
      names = "--state-dir",
      paramLabel = "DIR",
      description =
          "Where Pylon keeps virtualenvs, revisions and logs (default: $PYLON_HOME, else ~/.local/share/pylon)")
  Path stateDir;

  Path stateDir() {
    return StateDirectory.resolve(
        Optional.ofNullable(stateDir), System.getenv(), Path.of(System.getProperty("user.home")));
  }
}
