package dev.pylon.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Chooses how instances start when no entrypoint is given: gunicorn for a WSGI app that declares
 * it, uvicorn (else hypercorn) for an ASGI app that declares it, else Pylon's built-in WSGI or ASGI
 * worker. End-to-end HTTP/2 needs hypercorn, the one of these that speaks h2c.
 */
final class ServerChooser {
  private static final List<String> ASGI_FRAMEWORKS =
      List.of("fastapi", "starlette", "quart", "litestar", "sanic");

  private ServerChooser() {}

  static ServerCommand serverFor(
      AppTarget app,
      Dependencies deps,
      int threads,
      Optional<Origin> http2,
      List<SpecProblem> errors) {
    String declaredIn =
        deps.files().isEmpty() ? "" : " (declared in " + deps.files().get(0).getFileName() + ")";
    boolean asgi = app.kind().isAsgi();
    String unknownNote = "";
    if (app.kind() == AppTarget.Kind.UNKNOWN
        && (ASGI_FRAMEWORKS.stream().anyMatch(deps::declares)
            || deps.declares("uvicorn") && !deps.declares("gunicorn"))) {
      // Neither the probe nor the code could tell; the dependencies lean one way.
      asgi = true;
      unknownNote = " (taken as ASGI: the code does not say, and the dependencies are ASGI ones)";
    }
    if (http2.isPresent()) {
      if (asgi && deps.declares("hypercorn")) {
        return hypercorn(
            app,
            deps,
            declaredIn,
            unknownNote,
            " and serves HTTP/2 without TLS (h2c) as " + http2.get().describe() + " asks");
      }
      errors.add(
          http2
              .get()
              .problem(
                  "end-to-end HTTP/2 (a port named h2c) needs a server that speaks h2c; "
                      + (asgi
                          ? "uvicorn speaks only HTTP/1.1"
                          : "gunicorn and Pylon's built-in worker speak only HTTP/1.1, and "
                              + app.reference()
                              + " is a WSGI app"),
                  asgi
                      ? "add `hypercorn` to the dependencies, or name the port `http1`"
                      : "name the port `http1` (the router still speaks HTTP/2 to clients), or"
                          + " serve an ASGI app with hypercorn"));
      return null;
    }
    if (asgi) {
      if (deps.declares("uvicorn")) {
        List<String> args =
            new ArrayList<>(
                List.of(
                    app.importReference(),
                    "--host",
                    Defaults.INSTANCE_HOST,
                    "--port",
                    ServerCommand.PORT_TOKEN));
        if (!app.importRoot().toString().isEmpty()) {
          args.addAll(List.of("--app-dir", app.importRoot().toString()));
        }
        if (app.factory()) {
          args.add("--factory");
        }
        return new ServerCommand(
            ServerCommand.Kind.UVICORN,
            args,
            "",
            app.reference()
                + " is an ASGI app"
                + unknownNote
                + " and the dependencies include uvicorn"
                + deps.broughtBy("uvicorn")
                + declaredIn);
      }
      if (deps.declares("hypercorn")) {
        return hypercorn(app, deps, declaredIn, unknownNote, "");
      }
      String noServer =
          deps.kind() == Dependencies.Kind.NONE
              ? "there are no dependencies"
              : "the dependencies" + declaredIn + " include neither uvicorn nor hypercorn";
      return new ServerCommand(
          ServerCommand.Kind.BUILTIN_ASGI,
          List.of(app.reference()),
          "",
          app.reference()
              + " is an ASGI app"
              + unknownNote
              + " and "
              + noServer
              + ", so Pylon's built-in ASGI worker serves it (to have uvicorn instead, "
              + addServerHint(deps)
              + ")");
    }
    if (deps.declares("gunicorn")) {
      List<String> args =
          new ArrayList<>(
              List.of(
                  "--bind",
                  Defaults.INSTANCE_HOST + ":" + ServerCommand.PORT_TOKEN,
                  "--workers",
                  Integer.toString(Defaults.GUNICORN_WORKERS),
                  "--threads",
                  Integer.toString(threads),
                  "--timeout",
                  "0"));
      if (!app.importRoot().toString().isEmpty()) {
        args.addAll(List.of("--pythonpath", app.importRoot().toString()));
      }
      args.add(app.reference());
      return new ServerCommand(
          ServerCommand.Kind.GUNICORN,
          args,
          "",
          app.reference()
              + wsgiWords(app)
              + " and the dependencies include gunicorn"
              + declaredIn
              + "; one worker with "
              + threads
              + " threads and no worker timeout, because Pylon adds instances rather than workers"
              + " and its router times requests out");
    }
    String noServer =
        deps.kind() == Dependencies.Kind.NONE
            ? "there are no dependencies"
            : "the dependencies" + declaredIn + " include neither gunicorn nor uvicorn";
    return new ServerCommand(
        ServerCommand.Kind.BUILTIN,
        List.of(app.reference()),
        "",
        app.reference()
            + wsgiWords(app)
            + " and "
            + noServer
            + ", so Pylon's built-in worker serves"
            + " it");
  }

  /**
   * Hypercorn has no {@code --app-dir}: it imports the module from the folder its path names, so a
   * module below an import root is given as a path.
   */
  private static ServerCommand hypercorn(
      AppTarget app, Dependencies deps, String declaredIn, String unknownNote, String http2Words) {
    String target = app.reference();
    if (!app.importRoot().toString().isEmpty()) {
      target =
          app.importRoot().resolve(app.module()).toString()
              + ":"
              + app.attribute()
              + (app.factory() ? "()" : "");
    }
    return new ServerCommand(
        ServerCommand.Kind.HYPERCORN,
        List.of(
            "--bind",
            Defaults.INSTANCE_HOST + ":" + ServerCommand.PORT_TOKEN,
            "--workers",
            "1",
            target),
        "",
        app.reference()
            + " is an ASGI app"
            + unknownNote
            + http2Words
            + ", and the dependencies include hypercorn"
            + deps.broughtBy("hypercorn")
            + declaredIn);
  }

  /** Where to add uvicorn, in the file (and section) this app declares its dependencies in. */
  private static String addServerHint(Dependencies deps) {
    return switch (deps.kind()) {
      case NONE -> "create requirements.txt in this folder with the line `uvicorn`";
      case REQUIREMENTS -> "add `uvicorn` to " + deps.files().get(0).getFileName();
      case PYPROJECT -> "add \"uvicorn\" to [project].dependencies in pyproject.toml";
      case POETRY -> "add uvicorn to [tool.poetry.dependencies] in pyproject.toml";
    };
  }

  private static String wsgiWords(AppTarget app) {
    return app.kind() == AppTarget.Kind.UNKNOWN
        ? " is taken as a WSGI app (the code does not say)"
        : " is a WSGI app";
  }
}
