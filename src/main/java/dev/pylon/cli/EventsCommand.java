package dev.pylon.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pylon.control.daemon.AdminClient;
import dev.pylon.control.daemon.AdminClientException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pylon events [--service S] [--limit N]}. */
@Command(
    name = "events",
    mixinStandardHelpOptions = true,
    description = "Shows what happened: deploys, instance starts and exits, traffic changes.")
final class EventsCommand extends AdminCommand {
  @Option(names = "--service", paramLabel = "NAME", description = "Only this service's events")
  String service;

  @Option(
      names = "--limit",
      defaultValue = "50",
      description = "How many of the newest events (default: ${DEFAULT-VALUE})")
  int limit;

  @Override
  int run(AdminClient client) throws AdminClientException {
    String query = "?limit=" + limit + (service == null ? "" : "&service=" + segment(service));
    JsonNode events = client.get("/v1/events" + query);
    if (json) {
      printJson(events);
      return 0;
    }
    for (JsonNode event : events) {
      StringBuilder line = new StringBuilder(event.path("at").asText());
      for (String field : new String[] {"service", "revision", "instance"}) {
        String value = event.path(field).asText();
        if (!value.isEmpty()) {
          line.append("  ").append(value);
        }
      }
      line.append("  ").append(event.path("kind").asText());
      String detail = event.path("detail").asText();
      if (!detail.isEmpty()) {
        line.append(" (").append(detail).append(')');
      }
      out.println(line);
    }
    return 0;
  }
}
