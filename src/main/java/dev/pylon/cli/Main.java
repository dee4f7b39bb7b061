package dev.pylon.cli;

import picocli.CommandLine;

/** Entry point of the {@code pylon} command. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(newCommandLine().execute(args));
  }

  /** The command tree, with the error handling every subcommand shares. */
  public static CommandLine newCommandLine() {
    CommandLine commandLine = new CommandLine(new PylonCommand());
    commandLine.setExecutionExceptionHandler(new UserErrorHandler());
    commandLine.setCaseInsensitiveEnumValuesAllowed(true);
    return commandLine;
  }
}
