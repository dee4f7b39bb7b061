package dev.pylon.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pylon.control.daemon.AdminClient;
import dev.pylon.control.daemon.AdminClientException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;

/**
 * {@code pylon instances}: what the autoscaler wants for each serving revision and why, then every
 * running instance of every revision. {@code --json}: {@code {"revisions": [...], "instances":
 * [...]}}.
 */
@Command(
    name = "instances",
    mixinStandardHelpOptions = true,
    description =
        "Lists the daemon's instances, and for each revision how many the autoscaler wants and"
            + " why.")
final class InstancesCommand extends AdminCommand {
  @Override
  int run(AdminClient client) throws AdminClientException {
    JsonNode scalers = client.get("/v1/scalers");
    JsonNode instances = client.get("/v1/instances");
    if (json) {
      ObjectNode both = JSON.createObjectNode();
      both.set("revisions", scalers);
      both.set("instances", instances);
      printJson(both);
      return 0;
    }
    if (!scalers.isEmpty()) {
      List<List<String>> revisions = new ArrayList<>();
      revisions.add(List.of("REVISION", "READY", "DESIRED", "METRIC", "LAST DECISION"));
      for (JsonNode s : scalers) {
        revisions.add(
            List.of(
                s.path("revision").asText(),
                s.path("ready").asText(),
                s.path("desired").asText(),
                s.path("metric").asText()
                    + " "
                    + String.format(Locale.ROOT, "%.2f", s.path("targetPerInstance").asDouble())
                    + "/instance",
                s.path("reason").asText()));
      }
      printTable(revisions);
      out.println();
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
