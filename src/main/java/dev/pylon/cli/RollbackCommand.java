package dev.pylon.cli;

import dev.pylon.control.admin.ServiceView;
import dev.pylon.control.daemon.AdminClient;
import dev.pylon.control.daemon.AdminClientException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code pylon rollback SERVICE}: all traffic back to the revision before the serving one. */
@Command(
    name = "rollback",
    mixinStandardHelpOptions = true,
    description =
        "Sends all of a service's traffic to the ready revision before the one serving it.")
final class RollbackCommand extends AdminCommand {
  @Parameters(index = "0", paramLabel = "SERVICE", description = "The service")
  String service;

  @Override
  int run(AdminClient client) throws AdminClientException {
    ServiceView result = client.rollback(service);
    if (json) {
      printJson(result);
    } else {
      out.println(service + " now serves " + result.rolledBackTo());
    }
    return 0;
  }
}
