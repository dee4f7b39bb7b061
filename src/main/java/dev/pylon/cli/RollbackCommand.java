package dev.pylon.cli;

import com.fasterxml.jackson.databind.JsonNode;
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
    JsonNode result =
        client.post("/v1/services/" + segment(service) + "/rollback", JSON.createObjectNode());
    if (json) {
      printJson(result);
    } else {
      out.println(service + " now serves " + result.path("rolledBackTo").asText());
    }
    return 0;
  }
}
