package dev.pylon.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pylon.control.daemon.AdminClient;
import dev.pylon.control.daemon.AdminClientException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pylon logs SERVICE [--revision R] [--lines N]}: what the service's instances wrote. */
@Command(
    name = "logs",
    mixinStandardHelpOptions = true,
    description = "Shows the last lines a service's instances wrote (kept across daemon restarts).")
final class LogsCommand extends AdminCommand {
  @Parameters(index = "0", paramLabel = "SERVICE", description = "The service")
  String service;

  @Option(names = "--revision", paramLabel = "REVISION", description = "Only this revision")
  String revision;

  @Option(
      names = {"-n", "--lines"},
      defaultValue = "100",
      description = "How many of the last lines (default: ${DEFAULT-VALUE})")
  int lines;

  @Override
  int run(AdminClient client) throws AdminClientException {
    String query = "?lines=" + lines + (revision == null ? "" : "&revision=" + segment(revision));
    JsonNode all = client.get("/v1/services/" + segment(service) + "/logs" + query);
    if (json) {
      printJson(all);
      return 0;
    }
    for (JsonNode line : all) {
      out.println(
          line.path("time").asText()
              + "  "
              + line.path("instance").asText()
              + "  "
              + line.path("message").asText());
    }
    return 0;
  }
}
