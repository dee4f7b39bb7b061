package dev.pylon.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pylon.control.daemon.AdminClient;
import dev.pylon.control.daemon.AdminClientException;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code pylon env SERVICE [set K=V... | unset K...]}: a changed variable is a new revision. */
@Command(
    name = "env",
    mixinStandardHelpOptions = true,
    description = {
      "Shows, sets or unsets a service's environment variables.",
      "A change makes a new revision of the newest code, which takes the traffic once ready."
    })
final class EnvCommand extends AdminCommand {
  @Parameters(index = "0", paramLabel = "SERVICE", description = "The service")
  String service;

  @Parameters(
      index = "1",
      arity = "0..1",
      paramLabel = "set|unset",
      description = "What to do (default: show)")
  String action;

  @Parameters(
      index = "2..*",
      paramLabel = "NAME[=VALUE]",
      description = "NAME=VALUE to set, NAME to unset")
  List<String> variables = List.of();

  @Override
  int run(AdminClient client) throws AdminClientException {
    String path = "/v1/services/" + segment(service);
    if (action == null) {
      JsonNode env = client.get(path).path("env");
      if (json) {
        printJson(env);
      } else {
        env.properties().forEach(e -> out.println(e.getKey() + "=" + e.getValue().asText()));
      }
      return 0;
    }
    ObjectNode body = JSON.createObjectNode();
    ObjectNode set = body.putObject("set");
    ArrayNode unset = body.putArray("unset");
    switch (action) {
      case "set" -> {
        for (String variable : variables) {
          int eq = variable.indexOf('=');
          if (eq <= 0) {
            throw new UserError(
                "`pylon env " + service + " set` takes NAME=VALUE, not \"" + variable + "\".", 2);
          }
          set.put(variable.substring(0, eq), variable.substring(eq + 1));
        }
      }
      case "unset" -> variables.forEach(unset::add);
      default -> throw new UserError("`pylon env` takes set or unset, not \"" + action + "\".", 2);
    }
    if (variables.isEmpty()) {
      throw new UserError("name at least one variable to " + action + ".", 2);
    }
    JsonNode result = client.stream(path + "/env", body, this::printProgress);
    if (json) {
      printJson(result);
    } else if (result.has("revision")) {
      out.println(result.path("url").asText());
    }
    return 0;
  }
}
