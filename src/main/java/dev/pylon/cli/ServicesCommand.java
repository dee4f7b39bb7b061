package dev.pylon.cli;

import dev.pylon.control.admin.ScalingView;
import dev.pylon.control.admin.ServiceView;
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
    List<ServiceView> services = client.services();
    if (json) {
      printJson(services);
      return 0;
    }
    List<List<String>> rows = new ArrayList<>();
    rows.add(List.of("SERVICE", "URL", "TRAFFIC", "REVISIONS", "SCALING"));
    for (ServiceView service : services) {
      List<String> split = new ArrayList<>();
      service.serving().forEach((revision, percent) -> split.add(revision + "=" + percent + "%"));
      rows.add(
          List.of(
              service.name(),
              service.url(),
              split.isEmpty() ? "-" : String.join(",", split),
              Integer.toString(service.revisions()),
              scaling(service.scaling())));
    }
    printTable(rows);
    return 0;
  }

  /** "0..10 on concurrency 80 in flight", "1..4 on cpu 0.60 cores, cool-down 120 s". */
  private static String scaling(ScalingView scaling) {
    return scaling.min()
        + ".."
        + scaling.max()
        + " on "
        + scaling.metricOrDefault()
        + " "
        + scaling.target()
        + (scaling.coolDownSeconds() != null
            ? ", cool-down " + scaling.coolDownRounded() + " s"
            : "");
  }
}
