package dev.pylon.cli;

import dev.pylon.control.admin.DeployView;
import dev.pylon.control.admin.EnvBody;
import dev.pylon.control.admin.EnvOutcome;
import dev.pylon.control.daemon.AdminClient;
import dev.pylon.control.daemon.AdminClientException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    if (action == null) {
      Map<String, String> env = client.service(service).env();
      if (json) {
        printJson(env);
      } else {
        env.forEach((name, value) -> out.println(name + "=" + value));
      }
      return 0;
    }
    Map<String, String> set = new LinkedHashMap<>();
    List<String> unset = new ArrayList<>();
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
    EnvOutcome result = client.updateEnv(service, new EnvBody(set, unset), this::printProgress);
    switch (result) {
      case DeployView deployed -> {
        if (json) {
          printJson(deployed);
        } else {
          out.println(deployed.url());
        }
      }
      case EnvOutcome.Unchanged unchanged -> {
        if (json) {
          printJson(unchanged.service());
        }
      }
    }
    return 0;
  }
}
