package dev.pylon.cli;

import dev.pylon.control.admin.ScalingBody;
import dev.pylon.control.admin.ScalingView;
import dev.pylon.control.admin.ServiceView;
import dev.pylon.control.daemon.AdminClient;
import dev.pylon.control.daemon.AdminClientException;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code pylon scale SERVICE --min N --max N --concurrency N [--metric concurrency|cpu]
 * [--cpu-target CORES] [--cool-down 2m]}.
 */
@Command(
    name = "scale",
    mixinStandardHelpOptions = true,
    description = "Changes how many instances a service runs and what its autoscaler measures.")
final class ScaleCommand extends AdminCommand {
  @Parameters(index = "0", paramLabel = "SERVICE", description = "The service")
  String service;

  @Option(
      names = "--min",
      description = "Instances kept running per serving revision (0: idle revisions scale to zero)")
  Integer min;

  @Option(names = "--max", description = "The most instances per revision")
  Integer max;

  @Option(
      names = "--concurrency",
      description =
          "Requests one instance takes at once (0: unlimited); also the autoscaler's target"
              + " on the concurrency metric")
  Integer concurrency;

  @Option(
      names = "--metric",
      paramLabel = "concurrency|cpu",
      description =
          "What the autoscaler measures: requests in flight (concurrency) or the cores the"
              + " instances use (cpu)")
  String metric;

  @Option(
      names = "--cpu-target",
      paramLabel = "CORES",
      description =
          "Cores one instance should use, e.g. 0.6 (scales on cpu; App Engine's default is 0.5)")
  Double cpuTarget;

  @Option(
      names = "--cool-down",
      converter = DurationConverter.class,
      paramLabel = "DURATION",
      description =
          "The service's stable window, 6s to 1h (0: the daemon's --stable-window), like"
              + " app.yaml cool_down_period_sec")
  Duration coolDown;

  @Override
  int run(AdminClient client) throws AdminClientException {
    ScalingBody body =
        new ScalingBody(
            min,
            max,
            concurrency,
            metric,
            cpuTarget,
            coolDown == null ? null : coolDown.toMillis() / 1000.0);
    ServiceView result = client.setScaling(service, body);
    if (json) {
      printJson(result);
    } else {
      out.println(service + ": " + describe(result.scaling()));
    }
    return 0;
  }

  /**
   * A service's scaling in one line: "min 0, max 10, concurrency 80; scales on concurrency, 80 in
   * flight per instance; stable window: the daemon's".
   */
  static String describe(ScalingView scaling) {
    return "min "
        + scaling.min()
        + ", max "
        + scaling.max()
        + ", concurrency "
        + scaling.concurrency()
        + "; scales on "
        + scaling.metricOrDefault()
        + ", "
        + scaling.target()
        + " per instance; stable window "
        + (scaling.coolDownSeconds() != null ? scaling.coolDownRounded() + " s" : "the daemon's");
  }
}
