package dev.pylon.cli;

import dev.pylon.control.admin.ServiceView;
import dev.pylon.control.admin.TrafficBody;
import dev.pylon.control.daemon.AdminClient;
import dev.pylon.control.daemon.AdminClientException;
import java.util.LinkedHashMap;
import java.util.Map;
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
    TrafficBody body;
    if (target.latest) {
      body = TrafficBody.latest();
    } else {
      boolean byTag = target.tags != null;
      String option = byTag ? "--to-tags" : "--to-revisions";
      Map<String, Integer> percents = new LinkedHashMap<>();
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
      body = byTag ? TrafficBody.byTag(percents) : TrafficBody.byRevision(percents);
    }
    ServiceView result = client.setTraffic(service, body);
    if (json) {
      printJson(result);
    } else {
      result.serving().forEach((revision, percent) -> out.println(revision + "  " + percent + "%"));
    }
    return 0;
  }
}
