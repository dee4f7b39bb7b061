package dev.pylon.cli;

import dev.pylon.control.admin.EventView;
import dev.pylon.control.daemon.AdminClient;
import dev.pylon.control.daemon.AdminClientException;
import java.util.List;
import java.util.Optional;
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
    List<EventView> events = client.events(Optional.ofNullable(service), limit);
    if (json) {
      printJson(events);
      return 0;
    }
    for (EventView event : events) {
      StringBuilder line = new StringBuilder(event.at());
      for (String value : new String[] {event.service(), event.revision(), event.instance()}) {
        if (value != null && !value.isEmpty()) {
          line.append("  ").append(value);
        }
      }
      line.append("  ").append(event.kind());
      String detail = event.detail();
      if (detail != null && !detail.isEmpty()) {
        line.append(" (").append(detail).append(')');
      }
      out.println(line);
    }
    return 0;
  }
}
