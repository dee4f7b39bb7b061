package dev.pylon.cli;

import picocli.CommandLine.Command;

/** The top-level {@code pylon} command: only subcommands. */
@Command(
    name = "pylon",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description =
        "Runs Python web services (WSGI and ASGI) the way Cloud Run does, on this machine.",
    subcommands = {
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
      PythonCommand.class,
    })
public final class PylonCommand {}
