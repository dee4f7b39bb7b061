package dev.pylon.spec;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks that an entrypoint listens where Pylon will send traffic: on {@code $PORT}, not on a fixed
 * port and not on a server's own default; and says when it listens on every interface, where
 * clients could reach an instance around the router.
 */
final class EntrypointCheck {
  private static final Pattern FIXED_PORT =
      Pattern.compile(
          "(?:--port[ =]|-p\\s|--bind[ =]|-b\\s?|--http[ =]|--listen[ =])\\S*?(\\d{2,5})\\b|:(\\d{2,5})\\b");

  /**
   * A bind to every interface: {@code :$PORT} (gunicorn's and hypercorn's empty host), {@code
   * 0.0.0.0}, {@code [::]} or {@code --host ::}.
   */
  private static final Pattern EVERY_INTERFACE =
      Pattern.compile(
          "(?:^|[\\s=\"'])(?::\\$\\{?PORT\\b|:\\$\\(PORT\\)|0\\.0\\.0\\.0\\b|\\[::\\])"
              + "|--host[ =]['\"]?::(?:\\s|$|['\"])");

  private static final List<String> KNOWN_SERVERS =
      List.of("gunicorn", "uvicorn", "hypercorn", "waitress-serve", "uwsgi", "daphne", "granian");

  /**
   * Servers that listen on {@code $PORT} by themselves when no address is given, and where:
   * gunicorn reads {@code PORT} since 20.0 (its {@code bind} default is {@code 0.0.0.0:$PORT} when
   * {@code PORT} is set). uvicorn reads {@code UVICORN_PORT}, hypercorn, waitress, uwsgi, daphne
   * and granian none, so those would listen on their own defaults.
   */
  private static final Map<String, String> READS_PORT = Map.of("gunicorn", "0.0.0.0:$PORT");

  private EntrypointCheck() {}

  static void check(
      Located<String> entrypoint, List<SpecProblem> errors, List<SpecProblem> warnings) {
    String command = entrypoint.value();
    if (command.contains("$PORT") || command.contains("${PORT}")) {
      everyInterface(entrypoint, warnings);
      return;
    }
    Matcher fixed = FIXED_PORT.matcher(command);
    if (fixed.find()) {
      String port = fixed.group(1) != null ? fixed.group(1) : fixed.group(2);
      errors.add(
          entrypoint
              .origin()
              .problem(
                  "the entrypoint listens on the fixed port "
                      + port
                      + ", but each instance gets its own port in $PORT",
                  "replace "
                      + port
                      + " with $PORT, for example `gunicorn --bind :$PORT"
                      + " main:app`"));
      return;
    }
    String program = programOf(lastCommand(command));
    String base = program.substring(program.lastIndexOf('/') + 1);
    boolean configFile = command.matches(".*(\\s-c\\s|\\s--config[ =]).*");
    if (READS_PORT.containsKey(base) && !configFile) {
      warnings.add(
          entrypoint
              .origin()
              .problem(
                  base
                      + " listens on "
                      + READS_PORT.get(base)
                      + " by itself when PORT is set, as it is here: on every network interface,"
                      + " so other machines can reach each instance directly, around Pylon's"
                      + " router",
                  "for a local run, say `--bind 127.0.0.1:$PORT`; Cloud Run and App Engine need"
                      + " every interface, so keep it as it is there"));
      return;
    }
    if (KNOWN_SERVERS.contains(base) && !configFile) {
      errors.add(
          entrypoint
              .origin()
              .problem(
                  "the entrypoint does not say which port to listen on, so "
                      + base
                      + " would use its own default",
                  "add the port, for example `" + base + " " + portFlag(base) + " ...`"));
      return;
    }
    warnings.add(
        entrypoint
            .origin()
            .problem(
                "the entrypoint does not mention $PORT",
                "make sure the program listens on the port in the PORT environment variable"));
  }

  private static void everyInterface(Located<String> entrypoint, List<SpecProblem> warnings) {
    Matcher every = EVERY_INTERFACE.matcher(entrypoint.value());
    if (!every.find()) {
      return;
    }
    String how = every.group().strip().replaceAll("^[=\"']", "");
    warnings.add(
        entrypoint
            .origin()
            .problem(
                "the entrypoint listens on every network interface (`"
                    + how
                    + "`), so other machines can reach each instance directly, around Pylon's"
                    + " router",
                "for a local run, bind 127.0.0.1:$PORT instead; Cloud Run and App Engine need"
                    + " every interface, so keep it as it is there"));
  }

  /** The last simple command of a chain ({@code a && b}, {@code a; b}): the one that serves. */
  static String lastCommand(String command) {
    String[] parts = command.split("&&|\\|\\||;");
    return parts.length == 0 ? command : parts[parts.length - 1];
  }

  /** The program a shell command runs, past {@code exec} and {@code NAME=value} words. */
  private static String programOf(String command) {
    for (String word : command.strip().split("\\s+")) {
      if (!word.equals("exec") && !word.matches("[A-Za-z_][A-Za-z0-9_]*=.*")) {
        return word;
      }
    }
    return "";
  }

  private static String portFlag(String server) {
    return switch (server) {
      case "gunicorn" -> "--bind :$PORT";
      case "uvicorn", "waitress-serve" -> "--port $PORT";
      case "hypercorn" -> "--bind :$PORT";
      case "uwsgi" -> "--http :$PORT";
      case "daphne" -> "-p $PORT";
      default -> "--port $PORT";
    };
  }
}
