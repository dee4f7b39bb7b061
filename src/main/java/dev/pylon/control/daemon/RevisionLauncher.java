package dev.pylon.control.daemon;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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

/**
 * How instances of a daemon revision start: the same command and environment contract as {@code
 * pylon run} (control's InstancePlan), kept as a {@link LaunchSpec} so that a restarted daemon
 * needs neither the app folder nor a build.
 */
final class RevisionLauncher {
  private static final ObjectMapper JSON = new ObjectMapper();

  private RevisionLauncher() {}

  /**
   * @param revisionId the store's id for the revision ({@code K_REVISION})
   */
  static LaunchSpec launchSpec(
      ServiceSpec spec, Revision revision, String revisionId, Path stateDir) {
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
    spec.app()
        .flatMap(AppTarget::djangoSettings)
        .ifPresent(settings -> env.put("DJANGO_SETTINGS_MODULE", settings));
    env.putAll(spec.env());
    return new LaunchSpec(command, env, revision.dir());
  }

  /** What the build detected, for {@code pylon revisions --json}. */
  static String summary(ServiceSpec spec, Revision revision) {
    ObjectNode node = JSON.createObjectNode();
    node.put("server", spec.server().displayCommand());
    node.put("why", spec.server().reason());
    node.put("python", revision.python().toString());
    node.put("pythonVersion", String.valueOf(spec.python().version()));
    node.put("source", spec.sourceDir().toString());
    node.put("snapshot", revision.dir().toString());
    node.put("build", revision.id());
    return node.toString();
  }

  /** The template an instance set starts: the launch spec with the service's variables on top. */
  static InstanceTemplate template(RevisionRecord revision) {
    Map<String, String> env = new LinkedHashMap<>(revision.launch().env());
    env.putAll(revision.env());
    env.put("K_REVISION", revision.id());
    return new InstanceTemplate(
        revision.service(),
        revision.id(),
        revision.launch().command(),
        env,
        revision.launch().workDir());
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
