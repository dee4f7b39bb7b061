package dev.pylon.spec;

import java.util.List;

/**
 * How each instance is started.
 *
 * <ul>
 *   <li>{@link Kind#ENTRYPOINT}: run {@code /bin/sh -c} with the line, its last command exec'd
 *       ({@link EntrypointShell}); the shell expands {@code $PORT}.
 *   <li>{@link Kind#GUNICORN} / {@link Kind#UVICORN} / {@link Kind#HYPERCORN}: run {@code <python>
 *       -m gunicorn|uvicorn|hypercorn <args...>}, replacing the literal token {@value #PORT_TOKEN}
 *       in the args with the port.
 *   <li>{@link Kind#BUILTIN}: Pylon's stdlib WSGI worker; {@code args} is {@code [MODULE:ATTR]} and
 *       the thread count is {@link ServiceSpec#threads()}.
 *   <li>{@link Kind#BUILTIN_ASGI}: Pylon's stdlib ASGI worker (one asyncio loop); {@code args} is
 *       {@code [MODULE:ATTR]}.
 * </ul>
 *
 * @param kind which of the above
 * @param args arguments after {@code python -m <server>} (GUNICORN/UVICORN/HYPERCORN), or {@code
 *     [MODULE:ATTR]} (BUILTIN, BUILTIN_ASGI); empty for ENTRYPOINT
 * @param shellCommand the entrypoint as written (ENTRYPOINT), else ""
 * @param reason one sentence: why this server, and which file decided
 */
public record ServerCommand(Kind kind, List<String> args, String shellCommand, String reason) {

  /** Stands in the args where the instance's port goes. */
  public static final String PORT_TOKEN = "$PORT";

  /** The ways an instance can be started. */
  public enum Kind {
    ENTRYPOINT,
    GUNICORN,
    UVICORN,
    HYPERCORN,
    BUILTIN,
    BUILTIN_ASGI
  }

  public ServerCommand {
    args = List.copyOf(args);
  }

  /** The args with {@value #PORT_TOKEN} replaced by the port. */
  public List<String> argsForPort(int port) {
    return args.stream().map(a -> a.replace(PORT_TOKEN, Integer.toString(port))).toList();
  }

  /** What a person reads, for example {@code gunicorn --bind 127.0.0.1:$PORT ... main:app}. */
  public String displayCommand() {
    return switch (kind) {
      case ENTRYPOINT -> shellCommand;
      case GUNICORN -> "gunicorn " + String.join(" ", args);
      case UVICORN -> "uvicorn " + String.join(" ", args);
      case HYPERCORN -> "hypercorn " + String.join(" ", args);
      case BUILTIN -> "pylon built-in WSGI worker " + String.join(" ", args);
      case BUILTIN_ASGI -> "pylon built-in ASGI worker " + String.join(" ", args);
    };
  }
}
