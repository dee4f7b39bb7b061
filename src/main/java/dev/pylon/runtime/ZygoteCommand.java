package dev.pylon.runtime;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which instance commands a zygote can fork, and the command that starts the zygote for them. A
 * zygote imports what a cold start of the same command would import, so only commands whose server
 * it knows qualify: Pylon's built-in WSGI and ASGI workers ({@code PYTHON .../pylon_worker-*.py
 * ...}) and gunicorn as Pylon runs it ({@code PYTHON -m gunicorn ...}). Anything else (a user's
 * entrypoint line, uvicorn, hypercorn) starts cold.
 */
final class ZygoteCommand {
  /** The service variable that turns the zygote off for an app that must not be forked. */
  static final String SWITCH = "PYLON_ZYGOTE";

  private ZygoteCommand() {}

  /** Why {@code command} cannot be forked from a zygote, or empty when it can. */
  static Optional<String> whyNot(List<String> command, Map<String, String> env) {
    String setting = env.getOrDefault(SWITCH, "").strip();
    if (setting.equalsIgnoreCase("off")
        || setting.equals("0")
        || setting.equalsIgnoreCase("false")) {
      return Optional.of(SWITCH + "=" + setting + " turns it off");
    }
    if (command.size() >= 3 && command.get(1).equals("-m") && command.get(2).equals("gunicorn")) {
      return Optional.empty();
    }
    if (command.size() >= 2 && builtinWorker(command.get(1))) {
      return Optional.empty();
    }
    return Optional.of(
        "the command is not one Pylon runs its own way (the built-in worker, or python -m"
            + " gunicorn)");
  }

  /**
   * The zygote's command: the instance's interpreter running {@code script}, which listens on
   * {@code socket} once it has imported what {@code instanceCommand} would.
   */
  static List<String> template(List<String> instanceCommand, Path script, Path socket) {
    List<String> command = new ArrayList<>();
    command.add(instanceCommand.get(0));
    command.add(script.toString());
    command.add("--socket");
    command.add(socket.toString());
    command.add("--");
    command.addAll(instanceCommand.subList(1, instanceCommand.size()));
    return List.copyOf(command);
  }

  private static boolean builtinWorker(String script) {
    String name = Path.of(script).getFileName().toString();
    return name.endsWith(".py")
        && (name.startsWith("pylon_worker") || name.startsWith("pylon_asgi_worker"));
  }
}
