package dev.pylon.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.pylon.control.daemon.AdminClient;
import dev.pylon.control.daemon.AdminClientException;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pylon console}: a new one-time login URL of the daemon's web console (Jupyter's
 * convention), opened in a browser when there is a display.
 */
@Command(
    name = "console",
    mixinStandardHelpOptions = true,
    description = {
      "Prints a one-time URL that logs a browser in to the daemon's web console",
      "(services, revisions, traffic, instances, logs, charts), and opens it when there is a",
      "display. The URL works once; run the command again for another."
    })
final class ConsoleCommand extends AdminCommand {
  @Option(names = "--url", description = "Only print the URL; open nothing")
  boolean urlOnly;

  @Override
  int run(AdminClient client) throws AdminClientException {
    JsonNode answer = client.post("/console/login-link", JsonNodeFactory.instance.objectNode());
    String url = answer.path("url").asText();
    if (json) {
      printJson(answer);
      return 0;
    }
    if (urlOnly) {
      out.println(url);
      return 0;
    }
    out.println("pylon: the console is at " + url);
    out.println("pylon: the URL logs in once; it is not needed afterwards.");
    if (hasDisplay()) {
      try {
        new ProcessBuilder("xdg-open", url)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
      } catch (IOException e) {
        out.println(
            "pylon: cannot open a browser (" + e.getMessage() + "); open the URL yourself.");
      }
    }
    return 0;
  }

  private static boolean hasDisplay() {
    return System.getenv("DISPLAY") != null || System.getenv("WAYLAND_DISPLAY") != null;
  }
}
