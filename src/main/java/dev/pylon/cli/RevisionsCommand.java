package dev.pylon.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pylon.control.daemon.AdminClient;
import dev.pylon.control.daemon.AdminClientException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code pylon revisions SERVICE}: the service's revisions, their traffic and tags. */
@Command(
    name = "revisions",
    mixinStandardHelpOptions = true,
    description = "Lists a service's revisions.")
final class RevisionsCommand extends AdminCommand {
  @Parameters(index = "0", paramLabel = "SERVICE", description = "The service")
  String service;

  @Override
  int run(AdminClient client) throws AdminClientException {
    JsonNode revisions = client.get("/v1/services/" + segment(service) + "/revisions");
    if (json) {
      printJson(revisions);
      return 0;
    }
    List<List<String>> rows = new ArrayList<>();
    rows.add(List.of("REVISION", "READY", "TRAFFIC", "TAGS", "CREATED"));
    for (JsonNode revision : revisions) {
      List<String> tags = new ArrayList<>();
      revision.path("tags").forEach(tag -> tags.add(tag.asText()));
      rows.add(
          List.of(
              revision.path("id").asText(),
              revision.path("ready").asBoolean() ? "yes" : "no",
              revision.path("percent").asInt() + "%",
              tags.isEmpty() ? "-" : String.join(",", tags),
              revision.path("created").asText()));
    }
    printTable(rows);
    return 0;
  }
}
