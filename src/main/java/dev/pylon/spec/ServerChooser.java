package dev.pylon.spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Chooses how instances start when no entrypoint is given (issue 2's rule): gunicorn for a WSGI app
 * that declares it, uvicorn for an ASGI app that declares it, else Pylon's built-in WSGI worker. An
 * ASGI app without uvicorn is an error.
 */
final class ServerChooser {
  private static final List<String> ASGI_FRAMEWORKS =
      List.of("fastapi", "starlette", "quart", "litestar", "sanic");

  private ServerChooser() {}

  static ServerCommand serverFor(
      AppTarget app, Dependencies deps, int threads, Path appDir, List<SpecProblem> errors) {
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
    if (asgi) {
      if (deps.declares("uvicorn")) {
        List<String> args =
            new ArrayList<>(
                List.of(
                    app.reference(),
                    "--host",
                    Defaults.INSTANCE_HOST,
                    "--port",
                    ServerCommand.PORT_TOKEN));
        if (!app.importRoot().toString().isEmpty()) {
          args.addAll(List.of("--app-dir", app.importRoot().toString()));
        }
        return new ServerCommand(
            ServerCommand.Kind.UVICORN,
            args,
            "",
            app.reference()
                + " is an ASGI app"
                + unknownNote
                + " and the dependencies include uvicorn"
                + declaredIn);
      }
      Path where =
          deps.files().isEmpty() ? appDir.resolve("requirements.txt") : deps.files().get(0);
      errors.add(
          SpecProblem.ofFile(
              where,
              app.reference()
                  + " is an ASGI app, but the dependencies do not include uvicorn, and Pylon's"
                  + " built-in worker speaks only WSGI",
              "add `uvicorn` to requirements.txt, or give an entrypoint that starts your ASGI"
                  + " server on $PORT"));
      return null;
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
              + "; run as seed 001 recommends");
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

  private static String wsgiWords(AppTarget app) {
    return app.kind() == AppTarget.Kind.UNKNOWN
        ? " is taken as a WSGI app (the code does not say)"
        : " is a WSGI app";
  }
}
