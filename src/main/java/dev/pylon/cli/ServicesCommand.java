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
    rows.add(List.of("SERVICE", "URL", "TRAFFIC", "REVISIONS", "SCALING"));
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
              service.path("revisions").asText(),
              scaling(service.path("scaling"))));
    }
    printTable(rows);
    return 0;
  }

  /** "0..10 on concurrency 80 in flight", "1..4 on cpu 0.60 cores, cool-down 120 s". */
  private static String scaling(JsonNode scaling) {
    return scaling.path("min").asInt()
        + ".."
        + scaling.path("max").asInt()
        + " on "
        + scaling.path("metric").asText("concurrency")
        + " "
        + scaling.path("target").asText()
        + (scaling.has("coolDownSeconds")
            ? ", cool-down " + Math.round(scaling.path("coolDownSeconds").asDouble()) + " s"
            : "");
  }
}
