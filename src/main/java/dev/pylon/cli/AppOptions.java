package dev.pylon.cli;

import dev.pylon.spec.SpecOverrides;
import java.util.Optional;
import picocli.CommandLine.Option;

/** Flags that change what Pylon detects in an app folder, shared by run and inspect. */
final class AppOptions {
  @Option(
      names = "--entrypoint",
      paramLabel = "COMMAND",
      description =
          "The command that starts one instance; $PORT is expanded (wins over app.yaml and Procfile)")
  String entrypoint;

  @Option(
      names = "--app",
      paramLabel = "MODULE:ATTR",
      description = "The WSGI/ASGI application object (default: main:app, or Django's wsgi.py)")
  String app;

  @Option(
      names = "--threads",
      paramLabel = "N",
      description = "Threads per instance for gunicorn and the built-in worker (default: 8)")
  Integer threads;

  @Option(
      names = "--python",
      paramLabel = "VERSION|PATH",
      description = "The interpreter: a version such as 3.11, or a path such as /usr/bin/python3")
  String python;

  @Option(
      names = "--service",
      paramLabel = "NAME",
      description = "The service name (default: app.yaml's service, else the folder's name)")
  String service;

  @Option(
      names = "--system-site-packages",
      description = "Let the virtualenv see the interpreter's own packages (offline machines)")
  boolean systemSitePackages;

  @Option(
      names = "--pre-start",
      paramLabel = "COMMAND",
      description =
          "A command run once per revision before any instance starts (wins over the Procfile's release:)")
  String preStart;

  Optional<String> preStart() {
    return Optional.ofNullable(preStart);
  }

  SpecOverrides overrides() {
    if (threads != null && threads < 1) {
      throw new UserError("--threads " + threads + " must be at least 1.", 2);
    }
    SpecOverrides overrides = SpecOverrides.none();
    if (entrypoint != null) {
      overrides = overrides.withEntrypoint(entrypoint);
    }
    if (app != null) {
      overrides = overrides.withApp(app);
    }
    if (threads != null) {
      overrides = overrides.withThreads(threads);
    }
    if (python != null) {
      overrides = overrides.withPython(python);
    }
    if (service != null) {
      overrides = overrides.withService(service);
    }
    return overrides;
  }
}
