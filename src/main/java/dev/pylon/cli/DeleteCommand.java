package dev.pylon.cli;

import dev.pylon.control.admin.DeletedView;
import dev.pylon.control.daemon.AdminClient;
import dev.pylon.control.daemon.AdminClientException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code pylon delete SERVICE}. */
@Command(
    name = "delete",
    mixinStandardHelpOptions = true,
    description =
        "Stops a service and forgets it with its revisions and traffic (its events stay).")
final class DeleteCommand extends AdminCommand {
  @Parameters(index = "0", paramLabel = "SERVICE", description = "The service")
  String service;

  @Override
  int run(AdminClient client) throws AdminClientException {
    DeletedView result = client.deleteService(service);
    if (json) {
      printJson(result);
    } else {
      out.println("deleted " + service);
    }
    return 0;
  }
}
