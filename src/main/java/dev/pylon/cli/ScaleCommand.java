package dev.pylon.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pylon.control.daemon.AdminClient;
import dev.pylon.control.daemon.AdminClientException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pylon scale SERVICE --min N --max N --concurrency N}. */
@Command(
    name = "scale",
    mixinStandardHelpOptions = true,
    description = "Changes how many instances a service runs.")
final class ScaleCommand extends AdminCommand {
  @Parameters(index = "0", paramLabel = "SERVICE", description = "The service")
  String service;

  @Option(names = "--min", description = "Instances kept running per serving revision")
  Integer min;

  @Option(names = "--max", description = "The most instances per revision")
  Integer max;

  @Option(
      names = "--concurrency",
      description = "Requests one instance takes at once (0: unlimited)")
  Integer concurrency;

  @Override
  int run(AdminClient client) throws AdminClientException {
    ObjectNode body = JSON.createObjectNode();
    if (min != null) {
      body.put("min", min);
    }
    if (max != null) {
      body.put("max", max);
    }
    if (concurrency != null) {
      body.put("concurrency", concurrency);
    }
    JsonNode result = client.put("/v1/services/" + segment(service) + "/scaling", body);
    if (json) {
      printJson(result);
    } else {
      JsonNode scaling = result.path("scaling");
      out.println(
          service
              + ": min "
              + scaling.path("min").asInt()
              + ", max "
              + scaling.path("max").asInt()
              + ", concurrency "
              + scaling.path("concurrency").asInt());
    }
    return 0;
  }
}
