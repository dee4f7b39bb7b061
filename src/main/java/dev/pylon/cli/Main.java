package dev.pylon.cli;

import picocli.CommandLine;

/** Entry point of the {@code pylon} command. */
public final class Main {
  private Main() {}

  private static final String TUNNELING_DISABLED_SCHEMES =
      "jdk.http.auth.tunneling.disabledSchemes";

  public static void main(String[] args) {
    // Java's HTTP client sends no Basic credentials to an HTTPS proxy's CONNECT unless told to;
    // a user who put them in https_proxy means them to be sent, as curl and pip send them.
    if (System.getProperty(TUNNELING_DISABLED_SCHEMES) == null) {
      System.setProperty(TUNNELING_DISABLED_SCHEMES, "");
    }
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
