package dev.pylon.spec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an app folder into one {@link ServiceSpec}. Precedence when several sources speak:
 * command-line flags, then service.yaml, then app.yaml, then Procfile, then detection.
 */
public final class SpecLoader {
  private static final Pattern RUNTIME_TXT = Pattern.compile("python-(\\d+(?:\\.\\d+)*)");
  private static final Pattern FIXED_PORT =
      Pattern.compile(
          "(?:--port[ =]|-p\\s|--bind[ =]|-b\\s?|--http[ =]|--listen[ =])\\S*?(\\d{2,5})\\b|:(\\d{2,5})\\b");
  private static final List<String> KNOWN_SERVERS =
      List.of("gunicorn", "uvicorn", "hypercorn", "waitress-serve", "uwsgi", "daphne", "granian");

  private final PythonFinder finder;
  private final AppYamlReader appYamlReader = new AppYamlReader();
  private final ProcfileReader procfileReader = new ProcfileReader();
  private final DependencyReader dependencyReader = new DependencyReader();
  private final AppDetector appDetector = new AppDetector();

  public SpecLoader(PythonFinder finder) {
    this.finder = finder;
  }

  public SpecResult load(Path appDir, SpecOverrides overrides) {
    List<SpecProblem> errors = new ArrayList<>();
    List<SpecProblem> warnings = new ArrayList<>();
    if (!Files.isDirectory(appDir)) {
      return new SpecResult.Invalid(
          List.of(
              SpecProblem.ofFile(
                  appDir,
                  Files.exists(appDir) ? "is not a folder" : "does not exist",
                  "give the folder that holds your app (the one with main.py, app.yaml or"
                      + " manage.py)")));
    }
    Path sourceDir = appDir.toAbsolutePath().normalize();

    Optional<AppYamlReader.AppYaml> appYaml = Optional.empty();
    Path appYamlFile = appDir.resolve("app.yaml");
    if (Files.isRegularFile(appYamlFile)) {
      AppYamlReader.AppYaml read = appYamlReader.read(appYamlFile);
      errors.addAll(read.errors());
      warnings.addAll(read.warnings());
      appYaml = Optional.of(read);
    }
    Optional<ProcfileReader.Procfile> procfile = Optional.empty();
    Path procfileFile = appDir.resolve("Procfile");
    if (Files.isRegularFile(procfileFile)) {
      ProcfileReader.Procfile read = procfileReader.read(procfileFile);
      errors.addAll(read.errors());
      warnings.addAll(read.warnings());
      procfile = Optional.of(read);
    }
    DependencyReader.Read deps = dependencyReader.read(appDir);
    errors.addAll(deps.errors());
    warnings.addAll(deps.warnings());

    // The interpreter: the first request in this order decides.
    List<PythonRequest> requests = new ArrayList<>();
    overrides
        .python()
        .ifPresent(
            p -> {
              Origin flag = Origin.ofFlag("--python");
              PythonRequest.versionOrPath(p, flag)
                  .ifPresentOrElse(
                      requests::add,
                      () ->
                          errors.add(
                              flag.problem(
                                  "--python " + p + " is neither a version nor a path",
                                  "write --python 3.11 or --python /usr/bin/python3")));
            });
    appYaml.flatMap(AppYamlReader.AppYaml::python).ifPresent(requests::add);
    pythonVersionFile(appDir.resolve(".python-version"), errors).ifPresent(requests::add);
    runtimeTxt(appDir.resolve("runtime.txt"), errors).ifPresent(requests::add);
    deps.requiresPython().ifPresent(requests::add);

    Optional<Interpreter> python = Optional.empty();
    if (errors.isEmpty()) {
      InterpreterChooser.Choice choice = new InterpreterChooser(finder).choose(requests);
      errors.addAll(choice.errors());
      warnings.addAll(choice.warnings());
      python = choice.interpreter();
    }

    // The entrypoint, if anything gives one.
    List<Located<String>> entrypoints = new ArrayList<>();
    overrides
        .entrypoint()
        .ifPresent(e -> entrypoints.add(new Located<>(e, Origin.ofFlag("--entrypoint"))));
    appYaml.flatMap(AppYamlReader.AppYaml::entrypoint).ifPresent(entrypoints::add);
    procfile.flatMap(ProcfileReader.Procfile::web).ifPresent(entrypoints::add);
    Optional<Located<String>> entrypoint = entrypoints.stream().findFirst();
    for (Located<String> ignored :
        entrypoints.subList(Math.min(1, entrypoints.size()), entrypoints.size())) {
      warnings.add(
          ignored
              .origin()
              .problem(
                  "this entrypoint is ignored: "
                      + entrypoint.orElseThrow().origin().describe()
                      + " decides",
                  "remove one of them so the folder says one thing"));
    }
    entrypoint.ifPresent(e -> checkEntrypoint(e, errors, warnings));

    AppDetector.Detected detected =
        appDetector.detect(appDir, overrides.app(), deps.dependencies());
    errors.addAll(detected.errors());
    warnings.addAll(detected.warnings());
    Optional<AppTarget> app = detected.app();
    if (entrypoint.isEmpty() && app.isEmpty() && detected.errors().isEmpty()) {
      errors.add(
          SpecProblem.ofFile(
              appDir,
              "no app found: looked for " + String.join(", ", detected.looked()),
              "add a main.py that defines `app` (a WSGI or ASGI application), pass --app"
                  + " MODULE:ATTR, or give an entrypoint in app.yaml or a Procfile `web:` line"));
    }

    int threads = overrides.threads().orElse(Defaults.THREADS);
    if (threads < 1) {
      errors.add(
          Origin.ofFlag("--threads").problem("--threads must be at least 1, got " + threads, ""));
    }
    OptionalInt instances = OptionalInt.empty();
    if (overrides.instances().isPresent()) {
      int n = overrides.instances().get();
      if (n < 1) {
        errors.add(
            Origin.ofFlag("--instances").problem("--instances must be at least 1, got " + n, ""));
      } else {
        instances = OptionalInt.of(n);
      }
    }

    ServerCommand server = null;
    if (entrypoint.isPresent()) {
      Located<String> e = entrypoint.get();
      server =
          new ServerCommand(
              ServerCommand.Kind.ENTRYPOINT,
              List.of(),
              e.value(),
              "an explicit entrypoint wins: " + e.origin().describe() + " gives it");
    } else if (app.isPresent()) {
      server = serverFor(app.get(), deps.dependencies(), threads, appDir, errors);
    }

    String name = serviceName(overrides, appYaml, sourceDir);

    if (!errors.isEmpty() || python.isEmpty() || server == null) {
      if (errors.isEmpty()) {
        errors.add(SpecProblem.ofFile(appDir, "cannot decide how to run this folder", ""));
      }
      return new SpecResult.Invalid(errors);
    }
    Map<String, String> env = new LinkedHashMap<>();
    appYaml.ifPresent(a -> env.putAll(a.env()));
    String defaultsBy = appYaml.isPresent() ? "defaults" : "Cloud Run defaults";
    ServiceSpec spec =
        new ServiceSpec(
            name,
            sourceDir,
            python.get(),
            deps.dependencies(),
            app,
            server,
            threads,
            instances,
            env,
            procfile.flatMap(ProcfileReader.Procfile::release).map(Located::value),
            Defaults.cloudRunScaling(defaultsBy),
            Defaults.probes("no probe configured: ready once the port accepts connections"),
            Defaults.cloudRunResources(defaultsBy),
            Defaults.cloudRunConcurrency(defaultsBy),
            appYaml.isPresent());
    return new SpecResult.Loaded(spec, warnings);
  }

  private static ServerCommand serverFor(
      AppTarget app, Dependencies deps, int threads, Path appDir, List<SpecProblem> errors) {
    String declaredIn =
        deps.files().isEmpty() ? "" : " (declared in " + deps.files().get(0).getFileName() + ")";
    if (app.kind().isAsgi()) {
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
            app.reference() + " is an ASGI app and the dependencies include uvicorn" + declaredIn);
      }
      Path where =
          deps.files().isEmpty() ? appDir.resolve("requirements.txt") : deps.files().get(0);
      errors.add(
          SpecProblem.ofFile(
              where,
              app.reference()
                  + " is an ASGI app ("
                  + app.decidedBy()
                  + "), but the dependencies do not include uvicorn, and Pylon's built-in worker"
                  + " speaks only WSGI",
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
              + " is a WSGI app and the dependencies include gunicorn"
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
            + " is a WSGI app and "
            + noServer
            + ", so Pylon's built-in worker serves"
            + " it");
  }

  private static void checkEntrypoint(
      Located<String> entrypoint, List<SpecProblem> errors, List<SpecProblem> warnings) {
    String command = entrypoint.value();
    if (command.contains("$PORT") || command.contains("${PORT}")) {
      return;
    }
    Matcher fixed = FIXED_PORT.matcher(command);
    if (fixed.find()) {
      String port = fixed.group(1) != null ? fixed.group(1) : fixed.group(2);
      errors.add(
          entrypoint
              .origin()
              .problem(
                  "the entrypoint listens on the fixed port "
                      + port
                      + ", but each instance gets its own port in $PORT",
                  "replace "
                      + port
                      + " with $PORT, for example `gunicorn --bind :$PORT"
                      + " main:app`"));
      return;
    }
    String program = command.strip().split("\\s+")[0];
    String base = program.substring(program.lastIndexOf('/') + 1);
    if (KNOWN_SERVERS.contains(base)) {
      errors.add(
          entrypoint
              .origin()
              .problem(
                  "the entrypoint does not say which port to listen on, so "
                      + base
                      + " would use its own default",
                  "add the port, for example `" + base + " " + portFlag(base) + " ...`"));
      return;
    }
    warnings.add(
        entrypoint
            .origin()
            .problem(
                "the entrypoint does not mention $PORT",
                "make sure the program listens on the port in the PORT environment variable"));
  }

  private static String portFlag(String server) {
    return switch (server) {
      case "gunicorn" -> "--bind :$PORT";
      case "uvicorn", "waitress-serve" -> "--port $PORT";
      case "hypercorn" -> "--bind :$PORT";
      case "uwsgi" -> "--http :$PORT";
      case "daphne" -> "-p $PORT";
      default -> "--port $PORT";
    };
  }

  private static Optional<PythonRequest> pythonVersionFile(Path file, List<SpecProblem> errors) {
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    SourceText source = read(file);
    List<String> lines = source.lines();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      if (line.equals("system")) {
        return Optional.empty(); // pyenv's "whatever python3 the system has"
      }
      Origin at = source.at(i + 1, lines.get(i).indexOf(line) + 1);
      Optional<PythonRequest> r =
          PythonRequest.versionOrPath(line, at).filter(p -> p.path().isEmpty());
      if (r.isEmpty()) {
        errors.add(
            at.problem(
                ".python-version must hold a CPython version such as 3.12 or 3.12.4, got \""
                    + line
                    + "\"",
                "write the version alone on the first line"));
      }
      return r;
    }
    return Optional.empty();
  }

  private static Optional<PythonRequest> runtimeTxt(Path file, List<SpecProblem> errors) {
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    SourceText source = read(file);
    List<String> lines = source.lines();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty()) {
        continue;
      }
      Origin at = source.at(i + 1, lines.get(i).indexOf(line) + 1);
      Matcher m = RUNTIME_TXT.matcher(line);
      if (!m.matches()) {
        errors.add(
            at.problem(
                "runtime.txt must read like python-3.12.4, got \"" + line + "\"",
                "write `python-` and the version on the first line"));
        return Optional.empty();
      }
      return PythonRequest.versionOrPath(m.group(1), at);
    }
    return Optional.empty();
  }

  private static SourceText read(Path file) {
    try {
      return SourceText.of(file, Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      return SourceText.of(file, "");
    }
  }

  private static String serviceName(
      SpecOverrides overrides, Optional<AppYamlReader.AppYaml> appYaml, Path sourceDir) {
    String raw =
        overrides
            .service()
            .or(() -> appYaml.flatMap(AppYamlReader.AppYaml::service).map(Located::value))
            .orElseGet(
                () -> sourceDir.getFileName() == null ? "app" : sourceDir.getFileName().toString());
    return sanitizeName(raw);
  }

  /** Lowercase {@code [a-z0-9-]}, starting with a letter, at most 63 characters. */
  static String sanitizeName(String raw) {
    String name = raw.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
    name = name.replaceAll("^-+|-+$", "");
    if (name.isEmpty()) {
      name = "app";
    }
    if (!Character.isLetter(name.charAt(0))) {
      name = "app-" + name;
    }
    if (name.length() > 63) {
      name = name.substring(0, 63).replaceAll("-+$", "");
    }
    return name;
  }
}
