package dev.pylon.control;

import dev.pylon.revision.Revision;
import dev.pylon.runtime.BuiltinWorker;
import dev.pylon.runtime.InstanceTemplate;
import dev.pylon.spec.AppTarget;
import dev.pylon.spec.EntrypointShell;
import dev.pylon.spec.InstanceEnvironment;
import dev.pylon.spec.ServiceSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * How each instance of a service is started: the exact command for the chosen server and the
 * environment contract of DESIGN.md (PORT is added per instance by the runtime).
 */
public record InstancePlan(InstanceTemplate template, String description) {

  /** The project id instances see when {@code GOOGLE_CLOUD_PROJECT} is not set. */
  static final String LOCAL_PROJECT = InstanceEnvironment.LOCAL_PROJECT;

  static InstancePlan of(
      ServiceSpec spec,
      Revision revision,
      Path stateDir,
      String metadataHostPort,
      OptionalLong memoryMiB) {
    List<String> command = command(spec, revision, stateDir);
    Map<String, String> env =
        environment(spec, revision, revision.id(), Optional.of(metadataHostPort), memoryMiB);
    String python = revision.python().toString();
    String description =
        "Server: "
            + spec.server().displayCommand()
            + "\n       why: "
            + spec.server().reason()
            + "\n       python: "
            + python
            + " ("
            + spec.python().version()
            + ")";
    // Every server runs from the revision's root (the read-only snapshot of the app), as App
    // Engine runs an entrypoint; the spec tells gunicorn (--pythonpath) and uvicorn (--app-dir)
    // where the top-level module lives.
    return new InstancePlan(
        new InstanceTemplate(spec.name(), revision.id(), command, env, revision.dir()),
        description);
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
    }
    return command;
  }

  /**
   * The environment contract of DESIGN.md for one revision ({@link InstanceEnvironment}; PORT is
   * added per instance).
   *
   * @param revisionId {@code K_REVISION}: the build's id, or the daemon's revision name
   * @param metadataHostPort the local metadata server, when one runs
   */
  public static Map<String, String> environment(
      ServiceSpec spec,
      Revision revision,
      String revisionId,
      Optional<String> metadataHostPort,
      OptionalLong memoryMiB) {
    return InstanceEnvironment.of(spec, revisionId, revision.venv(), metadataHostPort, memoryMiB)
        .forRevision(System.getenv());
  }

  private static List<String> builtinWorker(ServiceSpec spec, Revision revision, Path stateDir) {
    AppTarget app =
        spec.app()
            .orElseThrow(
                () -> new IllegalStateException("the built-in worker needs an app object"));
    try {
      Path script = BuiltinWorker.materialize(stateDir.resolve("lib"));
      return BuiltinWorker.command(
          revision.python().toString(),
          script,
          app.reference(),
          revision.dir().resolve(app.importRoot()),
          spec.threads());
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
