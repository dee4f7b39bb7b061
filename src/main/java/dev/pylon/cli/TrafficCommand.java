package dev.pylon.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pylon.control.daemon.AdminClient;
import dev.pylon.control.daemon.AdminClientException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code pylon traffic SERVICE --to-revisions R1=90,R2=10 | --to-tags T1=90,T2=10 | --to-latest}.
 */
@Command(
    name = "traffic",
    mixinStandardHelpOptions = true,
    description =
        "Splits a service's traffic between its ready revisions, or sends it all to the latest.")
final class TrafficCommand extends AdminCommand {
  @Parameters(index = "0", paramLabel = "SERVICE", description = "The service")
  String service;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Target target;

  static final class Target {
    @Option(
        names = "--to-revisions",
        paramLabel = "REV=PERCENT,...",
        description = "Shares per revision, adding up to 100")
    String revisions;

    @Option(
        names = "--to-tags",
        paramLabel = "TAG=PERCENT,...",
        description = "Shares per tagged revision (a tag names a revision), adding up to 100")
    String tags;

    @Option(
        names = "--to-latest",
        description = "All traffic to the newest ready revision, following new deploys")
    boolean latest;
  }

  @Override
  int run(AdminClient client) throws AdminClientException {
    ObjectNode body = JSON.createObjectNode();
    if (target.latest) {
      body.put("toLatest", true);
    } else {
      boolean byTag = target.tags != null;
      String option = byTag ? "--to-tags" : "--to-revisions";
      ObjectNode percents = body.putObject(byTag ? "tagPercents" : "percents");
      for (String part : (byTag ? target.tags : target.revisions).split(",")) {
        int eq = part.lastIndexOf('=');
        if (eq <= 0) {
          throw new UserError(
              option
                  + " takes "
                  + (byTag ? "TAG" : "REV")
                  + "=PERCENT pairs separated by commas, not \""
                  + part
                  + "\".",
              2);
        }
        try {
          percents.put(
              part.substring(0, eq).trim(), Integer.parseInt(part.substring(eq + 1).trim()));
        } catch (NumberFormatException e) {
          throw new UserError(
              "\"" + part + "\": the share must be a whole percent, such as 90.", 2);
        }
      }
    }
    JsonNode result = client.put("/v1/services/" + segment(service) + "/traffic", body);
    if (json) {
      printJson(result);
    } else {
      result
          .path("serving")
          .properties()
          .forEach(e -> out.println(e.getKey() + "  " + e.getValue().asInt() + "%"));
    }
    return 0;
  }
}
