package dev.pylon.export;

import dev.pylon.spec.AppTarget;
import dev.pylon.spec.EntrypointShell;
import dev.pylon.spec.ServerCommand;
import dev.pylon.spec.ServiceSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How a container started from the exported image runs the server Pylon chose: the {@code CMD}
 * (always JSON form, hadolint DL3025), why it looks the way it does, and a package the image must
 * add because Pylon's own worker is not in it.
 *
 * @param cmd the CMD's arguments
 * @param why comment lines explaining the choice, without {@code #}
 * @param serverPackage a pinned requirement to install beside the app's, when the image needs one
 *     the app does not declare
 */
record ContainerCommand(List<String> cmd, List<String> why, Optional<String> serverPackage) {

  /** Pylon's built-in worker, written into the build context for apps it serves itself. */
  static final String WORKER_FILE = "pylon_worker.py";

  /** Pylon's built-in ASGI worker, written into the build context for ASGI apps it serves. */
  static final String ASGI_WORKER_FILE = "pylon_asgi_worker.py";

  /** Listen on every interface: inside a container the platform connects from outside. */
  private static final String ALL_INTERFACES = "0.0.0.0";

  private static final Pattern SHELL_SAFE = Pattern.compile("[A-Za-z0-9_./:=,@%+-]+");

  ContainerCommand {
    cmd = List.copyOf(cmd);
    why = List.copyOf(why);
  }

  static ContainerCommand of(ServiceSpec spec) {
    ServerCommand server = spec.server();
    return switch (server.kind()) {
      case GUNICORN -> gunicorn(withoutBind(server.args()), List.of(), Optional.empty());
      case BUILTIN -> builtin(spec);
      case BUILTIN_ASGI -> builtinAsgi(spec);
      case UVICORN -> uvicorn(server.args());
      case HYPERCORN -> hypercorn(server.args());
      case ENTRYPOINT -> entrypoint(server);
    };
  }

  private static ContainerCommand gunicorn(
      List<String> args, List<String> before, Optional<String> serverPackage) {
    List<String> cmd = new ArrayList<>();
    cmd.add("gunicorn");
    cmd.addAll(args);
    List<String> why = new ArrayList<>(before);
    why.add("gunicorn binds 0.0.0.0:$PORT by itself when PORT is set (its `bind` default), so");
    why.add("this exec-form CMD needs no shell and still honours the PORT the platform sets.");
    why.add("One worker with threads and no worker timeout (seed 001): the platform adds");
    why.add("replicas rather than workers (seed 002).");
    return new ContainerCommand(cmd, why, serverPackage);
  }

  private static ContainerCommand builtin(ServiceSpec spec) {
    Optional<AppTarget> app = spec.app();
    List<String> cmd = new ArrayList<>(List.of("python", WORKER_FILE));
    cmd.addAll(List.of("--app", app.map(AppTarget::reference).orElse(spec.server().args().get(0))));
    cmd.addAll(List.of("--host", ALL_INTERFACES, "--threads", Integer.toString(spec.threads())));
    Path importRoot = app.map(AppTarget::importRoot).orElse(Path.of(""));
    if (!importRoot.toString().isEmpty()) {
      cmd.addAll(List.of("--chdir", importRoot.toString()));
    }
    return new ContainerCommand(
        cmd,
        List.of(
            "Pylon's built-in worker serves the app, as under `pylon run`: " + WORKER_FILE + ",",
            "standard library only, written beside this Dockerfile, so nothing is downloaded.",
            "It reads PORT itself, and as PID 1 it handles SIGTERM: it stops accepting, finishes",
            "the requests in flight and exits. Add gunicorn to the app's dependencies to serve",
            "it with gunicorn instead."),
        Optional.empty());
  }

  private static ContainerCommand builtinAsgi(ServiceSpec spec) {
    Optional<AppTarget> app = spec.app();
    List<String> cmd = new ArrayList<>(List.of("python", ASGI_WORKER_FILE));
    cmd.addAll(List.of("--app", app.map(AppTarget::reference).orElse(spec.server().args().get(0))));
    cmd.addAll(List.of("--host", ALL_INTERFACES));
    Path importRoot = app.map(AppTarget::importRoot).orElse(Path.of(""));
    if (!importRoot.toString().isEmpty()) {
      cmd.addAll(List.of("--chdir", importRoot.toString()));
    }
    return new ContainerCommand(
        cmd,
        List.of(
            "Pylon's built-in ASGI worker serves the app, as under `pylon run`: "
                + ASGI_WORKER_FILE,
            "(standard library asyncio), written beside this Dockerfile, so nothing is downloaded.",
            "It reads PORT itself, runs the lifespan startup before it listens, and as PID 1 it",
            "handles SIGTERM by finishing the requests in flight. Add uvicorn to the app's",
            "dependencies to serve it with uvicorn instead."),
        Optional.empty());
  }

  private static ContainerCommand uvicorn(List<String> args) {
    List<String> words = new ArrayList<>();
    words.add("uvicorn");
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (arg.equals("--host") && i + 1 < args.size()) {
        words.add(arg);
        words.add(ALL_INTERFACES);
        i++;
      } else {
        words.add(arg);
      }
    }
    return new ContainerCommand(
        execInShell(words),
        List.of(
            "uvicorn does not read PORT (only its own UVICORN_PORT), so a shell expands $PORT.",
            "The CMD stays in JSON form (hadolint DL3025), and `exec` makes uvicorn PID 1 so",
            "it receives SIGTERM itself and drains."),
        Optional.empty());
  }

  private static ContainerCommand hypercorn(List<String> args) {
    List<String> words = new ArrayList<>();
    words.add("hypercorn");
    words.add("--bind");
    words.add(ALL_INTERFACES + ":" + ServerCommand.PORT_TOKEN);
    words.addAll(withoutBind(args));
    return new ContainerCommand(
        execInShell(words),
        List.of(
            "hypercorn does not read PORT, so a shell expands $PORT. It speaks HTTP/1.1 and",
            "HTTP/2 without TLS (h2c) on the same port. `exec` makes it PID 1 so it receives",
            "SIGTERM itself and drains."),
        Optional.empty());
  }

  /** {@code sh -c "exec WORDS"}: words quoted for the shell, except those that expand $PORT. */
  private static List<String> execInShell(List<String> words) {
    String line =
        "exec "
            + String.join(
                " ",
                words.stream()
                    .map(w -> w.contains(ServerCommand.PORT_TOKEN) ? w : shellQuote(w))
                    .toList());
    return List.of("sh", "-c", line);
  }

  private static ContainerCommand entrypoint(ServerCommand server) {
    String command = server.shellCommand().strip();
    Optional<String> chained = EntrypointShell.execLast(command);
    if (chained.isPresent() && !chained.get().equals("exec " + command)) {
      return new ContainerCommand(
          List.of("sh", "-c", chained.get()),
          List.of(
              "The entrypoint runs as written (" + server.reason() + "): its commands in turn,",
              "and `exec` before the last one hands PID 1, and so SIGTERM, to the server once",
              "the steps before it have succeeded. A shell expands $PORT. The CMD stays in JSON",
              "form (hadolint DL3025)."),
          Optional.empty());
    }
    if (chained.isEmpty()) {
      return new ContainerCommand(
          List.of("sh", "-c", command),
          List.of(
              "The entrypoint runs as written (" + server.reason() + "). It ends in a pipe,",
              "a background job or a group, so no single server can be PID 1: the shell is,",
              "and it does not pass SIGTERM on, so a stop waits the whole grace period.",
              "Make the last command a plain one (`... && exec SERVER`) to fix that."),
          Optional.empty());
    }
    return new ContainerCommand(
        List.of("sh", "-c", chained.get()),
        List.of(
            "The entrypoint runs as written (" + server.reason() + ").",
            "A shell expands $PORT; `exec` hands PID 1, and so SIGTERM, to the server.",
            "The CMD stays in JSON form (hadolint DL3025)."),
        Optional.empty());
  }

  /** Gunicorn's args without {@code --bind ADDRESS}: gunicorn then binds to $PORT itself. */
  private static List<String> withoutBind(List<String> args) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if ((arg.equals("--bind") || arg.equals("-b")) && i + 1 < args.size()) {
        i++;
      } else if (!arg.startsWith("--bind=")) {
        out.add(arg);
      }
    }
    return out;
  }

  static String shellQuote(String word) {
    if (SHELL_SAFE.matcher(word).matches()) {
      return word;
    }
    return "'" + word.replace("'", "'\\''") + "'";
  }
}
