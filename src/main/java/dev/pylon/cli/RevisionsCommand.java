package dev.pylon.cli;

import dev.pylon.control.admin.RevisionView;
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
    List<RevisionView> revisions = client.revisions(service);
    if (json) {
      printJson(revisions);
      return 0;
    }
    List<List<String>> rows = new ArrayList<>();
    rows.add(List.of("REVISION", "READY", "TRAFFIC", "TAGS", "CREATED"));
    for (RevisionView revision : revisions) {
      List<String> tags = revision.tags();
      rows.add(
          List.of(
              revision.id(),
              revision.ready() ? "yes" : "no",
              revision.percent() + "%",
              tags.isEmpty() ? "-" : String.join(",", tags),
              revision.created()));
    }
    printTable(rows);
    // Below the table, so a service of processes lists exactly as before.
    for (RevisionView revision : revisions) {
      if (revision.inContainers()) {
        out.println(revision.id() + " runs as containers of " + revision.image());
      }
    }
    return 0;
  }
}
