package dev.pylon.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code pylon python}: the interpreters Pylon can use, and the builds it installs. */
@Command(
    name = "python",
    mixinStandardHelpOptions = true,
    description =
        "The Python interpreters Pylon can see, and python-build-standalone builds it installs.",
    subcommands = {PythonListCommand.class, PythonInstallCommand.class})
final class PythonCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "say what to do: `pylon python list` or `pylon python install 3.12`");
  }
}
