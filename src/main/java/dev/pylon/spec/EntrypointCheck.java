package dev.pylon.spec;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks that an entrypoint listens where Pylon will send traffic: on {@code $PORT}, not on a fixed
 * port and not on a server's own default.
 */
final class EntrypointCheck {
  private static final Pattern FIXED_PORT =
      Pattern.compile(
          "(?:--port[ =]|-p\\s|--bind[ =]|-b\\s?|--http[ =]|--listen[ =])\\S*?(\\d{2,5})\\b|:(\\d{2,5})\\b");
  private static final List<String> KNOWN_SERVERS =
      List.of("gunicorn", "uvicorn", "hypercorn", "waitress-serve", "uwsgi", "daphne", "granian");

  private EntrypointCheck() {}

  static void check(
      Located<String> entrypoint, List<SpecProblem> errors, List<SpecProblem> warnings) {
    String command = entrypoint.value();
    if (command.contains("$PORT") || command.contains("${PORT}")) {
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
    String program = programOf(command);
    String base = program.substring(program.lastIndexOf('/') + 1);
    boolean configFile = command.matches(".*(\\s-c\\s|\\s--config[ =]).*");
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
