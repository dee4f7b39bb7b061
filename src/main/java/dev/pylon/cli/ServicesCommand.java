package dev.pylon.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pylon.control.daemon.AdminClient;
import dev.pylon.control.daemon.AdminClientException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;

/** {@code pylon services}: every service on the daemon, its URL and where its traffic goes. */
@Command(
    name = "services",
    mixinStandardHelpOptions = true,
    description = "Lists the daemon's services.")
final class ServicesCommand extends AdminCommand {
  @Override
  int run(AdminClient client) throws AdminClientException {
    JsonNode services = client.get("/v1/services");
    if (json) {
      printJson(services);
      return 0;
    }
    List<List<String>> rows = new ArrayList<>();
    rows.add(List.of("SERVICE", "URL", "TRAFFIC", "REVISIONS"));
    for (JsonNode service : services) {
      List<String> split = new ArrayList<>();
      service
          .path("serving")
          .properties()
          .forEach(e -> split.add(e.getKey() + "=" + e.getValue().asInt() + "%"));
      rows.add(
          List.of(
              service.path("name").asText(),
              service.path("url").asText(),
              split.isEmpty() ? "-" : String.join(",", split),
              service.path("revisions").asText()));
    }
    printTable(rows);
    return 0;
  }
}
