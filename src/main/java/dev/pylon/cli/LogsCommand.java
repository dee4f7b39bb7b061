package dev.pylon.cli;

import dev.pylon.control.admin.LogLineView;
import dev.pylon.control.daemon.AdminClient;
import dev.pylon.control.daemon.AdminClientException;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pylon logs SERVICE [--revision R] [--lines N]}: what the service's instances wrote. */
@Command(
    name = "logs",
    mixinStandardHelpOptions = true,
    description = "Shows the last lines a service's instances wrote (kept across daemon restarts).")
final class LogsCommand extends AdminCommand {
  @Parameters(index = "0", paramLabel = "SERVICE", description = "The service")
  String service;

  @Option(names = "--revision", paramLabel = "REVISION", description = "Only this revision")
  String revision;

  @Option(
      names = {"-n", "--lines"},
      defaultValue = "100",
      description = "How many of the last lines (default: ${DEFAULT-VALUE})")
  int lines;

  @Option(
      names = {"-f", "--follow"},
      description = "Keep printing new lines as instances write them, until Ctrl-C")
  boolean follow;

  /** How often --follow asks the daemon for new lines. */
  private static final long FOLLOW_EVERY_MILLIS = 1000;

  /** Lines --follow remembers, to print each once: more than one poll ever returns. */
  private static final int REMEMBERED = 20_000;

  @Override
  int run(AdminClient client) throws AdminClientException {
    List<LogLineView> all = client.logs(service, Optional.ofNullable(revision), lines);
    if (json && !follow) {
      printJson(all);
      return 0;
    }
    Set<String> printed = new LinkedHashSet<>();
    print(all, printed);
    while (follow) {
      try {
        Thread.sleep(FOLLOW_EVERY_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return 130;
      }
      // Enough lines that nothing written between two polls is missed.
      print(client.logs(service, Optional.ofNullable(revision), Math.max(lines, 1000)), printed);
    }
    return 0;
  }

  private void print(List<LogLineView> lines, Set<String> printed) {
    for (LogLineView line : lines) {
      String key = compactJson(line);
      if (!printed.add(key)) {
        continue;
      }
      if (json) {
        out.println(key);
      } else {
        out.println(line.time() + "  " + line.instance() + "  " + line.message());
      }
    }
    out.flush();
    Iterator<String> oldest = printed.iterator();
    while (printed.size() > REMEMBERED && oldest.hasNext()) {
      oldest.next();
      oldest.remove();
    }
  }
}
