package dev.pylon.cli;

import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

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
    if (Boolean.getBoolean(StartupTraining.PROPERTY)) {
      System.exit(StartupTraining.run());
    }
    System.exit(newCommandLine(args).execute(args));
  }

  /** The whole command tree, with the error handling every subcommand shares. */
  public static CommandLine newCommandLine() {
    return withSubcommands(PylonCommand.SUBCOMMANDS);
  }

  /**
   * The command tree {@code args} needs: only the subcommand they name, or none for {@code
   * --version}, so a command does not pay for building the other twenty. Anything else (help, no
   * arguments, a misspelt name that deserves a suggestion) gets the whole tree.
   */
  static CommandLine newCommandLine(String[] args) {
    return withSubcommands(subcommandsFor(Arrays.asList(args)));
  }

  static List<Class<?>> subcommandsFor(List<String> args) {
    if (args.size() == 1 && (args.get(0).equals("--version") || args.get(0).equals("-V"))) {
      return List.of();
    }
    if (!args.isEmpty()) {
      for (Class<?> command : PylonCommand.SUBCOMMANDS) {
        if (command.getAnnotation(Command.class).name().equals(args.get(0))) {
          return List.of(command);
        }
      }
    }
    return PylonCommand.SUBCOMMANDS;
  }

  private static CommandLine withSubcommands(List<Class<?>> subcommands) {
    CommandLine commandLine = new CommandLine(new PylonCommand());
    subcommands.forEach(commandLine::addSubcommand);
    commandLine.setExecutionExceptionHandler(new UserErrorHandler());
    commandLine.setCaseInsensitiveEnumValuesAllowed(true);
    return commandLine;
  }
}
