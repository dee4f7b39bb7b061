package dev.pylon.control;

import dev.pylon.revision.Revision;
import dev.pylon.runtime.BuiltinWorker;
import dev.pylon.runtime.InstanceTemplate;
import dev.pylon.spec.AppTarget;
import dev.pylon.spec.ServiceSpec;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
  static final String LOCAL_PROJECT = "pylon-local";

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
          command.addAll(List.of("/bin/sh", "-c", "exec " + spec.server().shellCommand()));
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

  /**
   * The environment contract of DESIGN.md for one revision (PORT is added per instance).
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
    Map<String, String> env = new LinkedHashMap<>();
    env.put("K_SERVICE", spec.name());
    env.put("K_CONFIGURATION", spec.name());
    env.put("K_REVISION", revisionId);
    env.put("PYTHONUNBUFFERED", "1");
    revision
        .venv()
        .ifPresent(
            venv -> {
              env.put("VIRTUAL_ENV", venv.toString());
              String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
              env.put("PATH", venv.resolve("bin") + File.pathSeparator + path);
            });
    metadataHostPort.ifPresent(hostPort -> env.put("GCE_METADATA_HOST", hostPort));
    if (spec.fromAppYaml()) {
      // App Engine flexible's contract (seed 003); GAE_INSTANCE names the revision because
      // instances share one template.
      env.put("GAE_SERVICE", spec.name());
      env.put("GAE_VERSION", revisionId);
      env.put("GAE_INSTANCE", revisionId);
      env.put(
          "GOOGLE_CLOUD_PROJECT",
          System.getenv().getOrDefault("GOOGLE_CLOUD_PROJECT", LOCAL_PROJECT));
      memoryMiB.ifPresent(memory -> env.put("GAE_MEMORY_MB", Long.toString(memory)));
    }
    spec.app()
        .flatMap(AppTarget::djangoSettings)
        .ifPresent(settings -> env.put("DJANGO_SETTINGS_MODULE", settings));
    env.putAll(spec.env());
    return env;
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
