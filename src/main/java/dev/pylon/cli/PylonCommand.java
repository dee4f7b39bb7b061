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
      // more commands below this line
    })
public final class PylonCommand {}
