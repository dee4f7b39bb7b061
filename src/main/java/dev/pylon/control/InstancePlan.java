package dev.pylon.control;

import dev.pylon.build.Revision;
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
import java.util.OptionalLong;

/**
 * How each instance of a service is started: the exact command for the chosen server and the
 * environment contract of DESIGN.md (PORT is added per instance by the runtime).
 */
record InstancePlan(InstanceTemplate template, String description) {

  /** The project id instances see when {@code GOOGLE_CLOUD_PROJECT} is not set. */
  static final String LOCAL_PROJECT = "pylon-local";

  static InstancePlan of(
      ServiceSpec spec,
      Revision revision,
      Path stateDir,
      String metadataHostPort,
      OptionalLong memoryMiB) {
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
      case BUILTIN -> command.addAll(builtinWorker(spec, revision, stateDir));
    }
    Map<String, String> env = new LinkedHashMap<>();
    env.put("K_SERVICE", spec.name());
    env.put("K_CONFIGURATION", spec.name());
    env.put("K_REVISION", revision.id());
    env.put("PYTHONUNBUFFERED", "1");
    revision
        .venv()
        .ifPresent(
            venv -> {
              env.put("VIRTUAL_ENV", venv.toString());
              String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
              env.put("PATH", venv.resolve("bin") + File.pathSeparator + path);
            });
    env.put("GCE_METADATA_HOST", metadataHostPort);
    if (spec.fromAppYaml()) {
      // App Engine flexible's contract (seed 003); GAE_INSTANCE names the revision because
      // instances share one template.
      env.put("GAE_SERVICE", spec.name());
      env.put("GAE_VERSION", revision.id());
      env.put("GAE_INSTANCE", revision.id());
      env.put(
          "GOOGLE_CLOUD_PROJECT",
          System.getenv().getOrDefault("GOOGLE_CLOUD_PROJECT", LOCAL_PROJECT));
      memoryMiB.ifPresent(memory -> env.put("GAE_MEMORY_MB", Long.toString(memory)));
    }
    spec.app()
        .flatMap(AppTarget::djangoSettings)
        .ifPresent(settings -> env.put("DJANGO_SETTINGS_MODULE", settings));
    env.putAll(spec.env());
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
