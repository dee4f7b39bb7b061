package dev.pylon.control;

import dev.pylon.revision.Revision;
import dev.pylon.runtime.BuiltinWorker;
import dev.pylon.spec.AppTarget;
import dev.pylon.spec.EntrypointShell;
import dev.pylon.spec.ServiceSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The exact command that starts an instance of a service with its chosen server; the daemon's
 * RevisionLauncher makes it, with the environment contract (spec's InstanceEnvironment), into a
 * revision's launch plan.
 */
public final class InstancePlan {

  private InstancePlan() {}

  /** What {@code pylon run} says about how it starts the app: server, why, interpreter. */
  static String description(ServiceSpec spec, Revision revision) {
    return "Server: "
        + spec.server().displayCommand()
        + "\n       why: "
        + spec.server().reason()
        + "\n       python: "
        + revision.python()
        + " ("
        + spec.python().version()
        + ")";
  }

  /** The command that starts one instance of the revision; {@code $PORT} is left in it. */
  public static List<String> command(ServiceSpec spec, Revision revision, Path stateDir) {
    String python = revision.python().toString();
    List<String> command = new ArrayList<>();
    switch (spec.server().kind()) {
      case ENTRYPOINT ->
          command.addAll(
              List.of("/bin/sh", "-c", EntrypointShell.script(spec.server().shellCommand())));
      case GUNICORN -> {
        command.addAll(List.of(python, "-m", "gunicorn"));
        command.addAll(spec.server().args());
      }
      case UVICORN -> {
        command.addAll(List.of(python, "-m", "uvicorn"));
        command.addAll(spec.server().args());
      }
      case HYPERCORN -> {
        command.addAll(List.of(python, "-m", "hypercorn"));
        command.addAll(spec.server().args());
      }
      case BUILTIN -> command.addAll(builtinWorker(spec, revision, stateDir));
      case BUILTIN_ASGI -> command.addAll(builtinAsgiWorker(spec, revision, stateDir));
    }
    return command;
  }

  private static List<String> builtinWorker(ServiceSpec spec, Revision revision, Path stateDir) {
    AppTarget app = appOf(spec);
    Path script = writeWorker(stateDir, BuiltinWorker::materialize);
    return BuiltinWorker.command(
        revision.python().toString(),
        script,
        app.reference(),
        revision.dir().resolve(app.importRoot()),
        spec.threads());
  }

  private static List<String> builtinAsgiWorker(
      ServiceSpec spec, Revision revision, Path stateDir) {
    AppTarget app = appOf(spec);
    Path script = writeWorker(stateDir, BuiltinWorker::materializeAsgi);
    return BuiltinWorker.asgiCommand(
        revision.python().toString(),
        script,
        app.reference(),
        revision.dir().resolve(app.importRoot()));
  }

  private static AppTarget appOf(ServiceSpec spec) {
    return spec.app()
        .orElseThrow(() -> new IllegalStateException("the built-in worker needs an app object"));
  }

  /** A worker script as written under the state directory's {@code lib}. */
  private interface WorkerWriter {
    Path write(Path dir) throws IOException;
  }

  private static Path writeWorker(Path stateDir, WorkerWriter writer) {
    try {
      return writer.write(stateDir.resolve("lib"));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write Pylon's built-in worker into "
              + stateDir.resolve("lib")
              + ": "
              + e.getMessage(),
          e);
    }
  }
}
