package dev.pylon.cli;

import dev.pylon.control.admin.InstanceView;
import dev.pylon.control.admin.ScalerView;
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
  /** What {@code --json} prints: both lists the daemon answered. */
  record Both(List<ScalerView> revisions, List<InstanceView> instances) {}

  @Override
  int run(AdminClient client) throws AdminClientException {
    List<ScalerView> scalers = client.scalers();
    List<InstanceView> instances = client.instances();
    if (json) {
      printJson(new Both(scalers, instances));
      return 0;
    }
    if (!scalers.isEmpty()) {
      List<List<String>> revisions = new ArrayList<>();
      revisions.add(List.of("REVISION", "READY", "DESIRED", "METRIC", "LAST DECISION"));
      for (ScalerView s : scalers) {
        revisions.add(
            List.of(
                s.revision(),
                Integer.toString(s.ready()),
                Integer.toString(s.desired()),
                s.metric()
                    + " "
                    + String.format(Locale.ROOT, "%.2f", s.targetPerInstance())
                    + "/instance",
                s.reason()));
      }
      printTable(revisions);
      out.println();
    }
    List<List<String>> rows = new ArrayList<>();
    rows.add(List.of("INSTANCE", "STATE", "PORT", "PID", "STARTS", "SINCE"));
    for (InstanceView i : instances) {
      rows.add(
          List.of(
              i.name(),
              i.state(),
              Integer.toString(i.port()),
              Long.toString(i.pid()),
              Integer.toString(i.starts()),
              i.since()));
    }
    printTable(rows);
    return 0;
  }
}
