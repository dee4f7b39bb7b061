package dev.pylon.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pylon.control.daemon.AdminClient;
import dev.pylon.control.daemon.AdminClientException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;

/** {@code pylon instances}: every running instance of every revision. */
@Command(
    name = "instances",
    mixinStandardHelpOptions = true,
    description = "Lists the daemon's instances.")
final class InstancesCommand extends AdminCommand {
  @Override
  int run(AdminClient client) throws AdminClientException {
    JsonNode instances = client.get("/v1/instances");
    if (json) {
      printJson(instances);
      return 0;
    }
    List<List<String>> rows = new ArrayList<>();
    rows.add(List.of("INSTANCE", "STATE", "PORT", "PID", "STARTS", "SINCE"));
    for (JsonNode i : instances) {
      rows.add(
          List.of(
              i.path("name").asText(),
              i.path("state").asText(),
              i.path("port").asText(),
              i.path("pid").asText(),
              i.path("starts").asText(),
              i.path("since").asText()));
    }
    printTable(rows);
    return 0;
  }
}
