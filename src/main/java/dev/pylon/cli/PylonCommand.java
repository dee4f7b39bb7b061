package dev.pylon.cli;

import java.util.List;
import picocli.CommandLine.Command;

/**
 * The top-level {@code pylon} command: only subcommands. They are listed here rather than in
 * {@code @Command(subcommands = ...)} so that {@link Main} can build only the one a command line
 * names: picocli instantiates and reflects over every subcommand it is given, and doing it for all
 * of them was most of the start of {@code pylon --version}.
 */
@Command(
    name = "pylon",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description =
        "Runs Python web services (WSGI and ASGI) the way Cloud Run does, on this machine.")
public final class PylonCommand {
  /** Every subcommand, in the order {@code pylon --help} lists them. */
  static final List<Class<?>> SUBCOMMANDS =
      List.of(
          RunCommand.class,
          InspectCommand.class,
          BuildCommand.class,
          ExportCommand.class,
          GcCommand.class,
          ProxyCommand.class,
          ServerCommand.class,
          DeployCommand.class,
          ServicesCommand.class,
          RevisionsCommand.class,
          InstancesCommand.class,
          TrafficCommand.class,
          ScaleCommand.class,
          EnvCommand.class,
          RollbackCommand.class,
          DeleteCommand.class,
          EventsCommand.class,
          LogsCommand.class,
          ConsoleCommand.class,
          PythonCommand.class);
}
