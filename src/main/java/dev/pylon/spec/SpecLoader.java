package dev.pylon.spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Reads an app folder into one {@link ServiceSpec}. Precedence when several sources speak:
 * command-line flags, then service.yaml, then app.yaml, then the Dockerfile (Cloud Run builds it
 * when there is one; App Engine only with {@code runtime: custom}), then Procfile, then detection.
 */
public final class SpecLoader {
  private final PythonFinder finder;
  private final Optional<PythonProvisioner> provisioner;
  private final Optional<AppProbe> probe;
  private final AppYamlReader appYamlReader = new AppYamlReader();
  private final ServiceYamlReader serviceYamlReader = new ServiceYamlReader();
  private final ProcfileReader procfileReader = new ProcfileReader();
  private final DependencyReader dependencyReader = new DependencyReader();
  private final AppDetector appDetector = new AppDetector();
  private final DockerfileReader dockerfileReader = new DockerfileReader();

  /** A loader that imports the app in a probe process (at most 10 s) to tell WSGI from ASGI. */
  public SpecLoader(PythonFinder finder) {
    this(finder, Duration.ofSeconds(10));
  }

  /**
   * @param probeTimeout how long the import probe may take; {@link Duration#ZERO} reads the code
   *     only and starts no Python process for the app
   */
  public SpecLoader(PythonFinder finder, Duration probeTimeout) {
    this(finder, Optional.empty(), probeFor(probeTimeout));
  }

  /**
   * A loader that installs a requested Python that is not on this machine through {@code
   * provisioner} (which may download), and imports the app for at most 10 s.
   */
  public SpecLoader(PythonFinder finder, PythonProvisioner provisioner) {
    this(finder, Optional.of(provisioner), probeFor(Duration.ofSeconds(10)));
  }

  private SpecLoader(
      PythonFinder finder, Optional<PythonProvisioner> provisioner, Optional<AppProbe> probe) {
    this.finder = finder;
    this.provisioner = provisioner;
    this.probe = probe;
  }

  private static Optional<AppProbe> probeFor(Duration timeout) {
    return timeout.isZero() ? Optional.empty() : Optional.of(new AppProbe(timeout));
  }

  /**
   * The same loader, keeping the import probe's answers in {@code dir} (for Pylon, {@code
   * STATE/probe-cache}): the app is imported again only when a file or folder the import read has
   * changed, or the interpreter, the environment or the question did.
   */
  public SpecLoader withProbeCache(Path dir) {
    return new SpecLoader(finder, provisioner, probe.map(p -> p.withCache(new ProbeCache(dir))));
  }

  /** Reads {@code appDir}; the overrides win over every file. Starts nothing but probes. */
  public SpecResult load(Path appDir, SpecOverrides overrides) {
    return load(
        appDir,
        overrides,
        (python, dir, app, env) -> probe.orElseThrow().probe(python, dir, app, env));
  }

  /**
   * As {@link #load}, but when the app changed since its import was last probed, goes on with the
   * answer the probe gave before while it imports the app again: see {@link SpecAhead}.
   */
  public SpecAhead loadAhead(Path appDir, SpecOverrides overrides) {
    return probe.isEmpty()
        ? SpecAhead.settled(load(appDir, overrides))
        : SpecAhead.load(this, probe.get(), appDir, overrides);
  }

  /** Reads {@code appDir} with the probe's answers from {@code prober}. */
  SpecResult load(Path appDir, SpecOverrides overrides, Prober prober) {
    return new Loading(appDir, overrides, prober).load();
  }

  /** The state of loading one folder. */
  private final class Loading {
    final Path appDir;
    final SpecOverrides overrides;
    final List<SpecProblem> errors = new ArrayList<>();
    final List<SpecProblem> warnings = new ArrayList<>();
    final Prober prober;

    Loading(Path appDir, SpecOverrides overrides, Prober prober) {
      this.appDir = appDir;
      this.overrides = overrides;
      this.prober = prober;
    }

    SpecResult load() {
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

      Optional<AppYamlReader.AppYaml> appYaml =
          readIf(
              "app.yaml",
              appYamlReader::read,
              AppYamlReader.AppYaml::errors,
              AppYamlReader.AppYaml::warnings);
      Optional<ServiceYamlReader.ServiceYaml> serviceYaml =
          readIf(
                  "service.yaml",
                  serviceYamlReader::read,
                  ServiceYamlReader.ServiceYaml::errors,
                  ServiceYamlReader.ServiceYaml::warnings)
              .filter(s -> !s.ignored());
      Optional<ProcfileReader.Procfile> procfile =
          readIf(
              "Procfile",
              procfileReader::read,
              ProcfileReader.Procfile::errors,
              ProcfileReader.Procfile::warnings);
      if (appYaml.isPresent() && serviceYaml.isPresent()) {
        warnings.add(
            Origin.ofFile(serviceYaml.get().file())
                .problem(
                    "both app.yaml and service.yaml configure this service; service.yaml wins"
                        + " where both speak",
                    "keep the one you deploy with"));
      }
      Optional<DockerfileReader.Dockerfile> dockerfile = dockerfile(appYaml);
      DependencyReader.Read deps =
          dependencyReader.read(
              appDir,
              dockerfile.map(DockerfileReader.Dockerfile::requirementFiles).orElse(List.of()));
      errors.addAll(deps.errors());
      warnings.addAll(deps.warnings());
      Path parent = sourceDir.getParent();
      if (deps.dependencies().kind() == Dependencies.Kind.NONE && parent != null) {
        dependenciesLeftBehind(parent, sourceDir)
            .ifPresent(
                f ->
                    warnings.add(
                        SpecProblem.ofFile(
                            appDir,
                            "this folder has no requirements.txt or pyproject.toml, but its parent"
                                + " has "
                                + f
                                + ", which Pylon does not install: it serves only the folder it"
                                + " is given",
                            "copy "
                                + parent.resolve(f)
                                + " into this folder, or give the parent folder (with --app"
                                + " MODULE:ATTR if the app is not found there)")));
      }

      Optional<Interpreter> python = interpreter(appYaml, dockerfile, deps);

      // The entrypoint: the first of these decides.
      List<Located<String>> entrypoints = new ArrayList<>();
      overrides
          .entrypoint()
          .ifPresent(e -> entrypoints.add(new Located<>(e, Origin.ofFlag("--entrypoint"))));
      serviceYaml.flatMap(ServiceYamlReader.ServiceYaml::entrypoint).ifPresent(entrypoints::add);
      appYaml.flatMap(AppYamlReader.AppYaml::entrypoint).ifPresent(entrypoints::add);
      dockerfile
          .flatMap(DockerfileReader.Dockerfile::entrypoint)
          .filter(this::dockerfileCommandServes)
          .ifPresent(entrypoints::add);
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
      entrypoint.ifPresent(e -> EntrypointCheck.check(e, errors, warnings));

      Map<String, String> env = new LinkedHashMap<>();
      dockerfile.ifPresent(d -> env.putAll(d.env()));
      appYaml.ifPresent(a -> env.putAll(a.env()));
      serviceYaml.ifPresent(s -> env.putAll(s.env()));

      AppDetector.Detected detected =
          appDetector.detect(appDir, overrides.app(), deps.dependencies());
      if (entrypoint.isEmpty() || overrides.app().isPresent()) {
        errors.addAll(detected.errors());
      }
      // else: the user said what to run; what detection could not find only informs (a main.py
      // that serves $PORT itself defines no `app`, and needs none).
      warnings.addAll(detected.warnings());
      Optional<AppTarget> app = detected.app();
      if (app.isPresent() && python.isPresent() && probe.isPresent() && errors.isEmpty()) {
        app =
            probed(
                app.get(),
                detected.foundBy(),
                python.get(),
                sourceDir,
                env,
                entrypoint.isPresent());
      }
      if (entrypoint.isEmpty() && app.isEmpty() && detected.errors().isEmpty()) {
        errors.add(
            SpecProblem.ofFile(
                appDir,
                "no app found: looked for " + String.join(", ", detected.looked()),
                appsBelow()
                    .map(
                        below ->
                            "the app seems to be in "
                                + below
                                + "/: give that folder instead ("
                                + appDir.resolve(below)
                                + ")"
                                + dependenciesLeftBehind(appDir, appDir.resolve(below))
                                    .map(
                                        f ->
                                            "; it has no dependency file of its own, so copy "
                                                + f
                                                + " into "
                                                + below
                                                + "/ first, or Pylon installs nothing")
                                    .orElse(""))
                    .orElse(
                        "add a main.py that defines `app` (a WSGI or ASGI application), pass"
                            + " --app MODULE:ATTR, or give an entrypoint in app.yaml or a"
                            + " Procfile `web:` line")));
      }

      int threads = overrides.threads().orElse(Defaults.THREADS);
      if (threads < 1) {
        errors.add(
            Origin.ofFlag("--threads")
                .problem("--threads must be at least 1, got " + threads, "use --threads 8"));
      }
      OptionalInt instances = OptionalInt.empty();
      String instancesBy = "";
      if (overrides.instances().isPresent()) {
        int n = overrides.instances().get();
        if (n < 1) {
          errors.add(
              Origin.ofFlag("--instances")
                  .problem("--instances must be at least 1, got " + n, "use --instances 2"));
        } else {
          instances = OptionalInt.of(n);
          instancesBy = "--instances";
        }
      } else if (appYaml.isPresent() && appYaml.get().manualInstances().isPresent()) {
        instances = appYaml.get().manualInstances();
        instancesBy = "app.yaml manual_scaling.instances";
      }

      Optional<Origin> http2 = serviceYaml.flatMap(ServiceYamlReader.ServiceYaml::http2);
      ServerCommand server = null;
      if (entrypoint.isPresent()) {
        Located<String> e = entrypoint.get();
        server =
            new ServerCommand(
                ServerCommand.Kind.ENTRYPOINT,
                List.of(),
                e.value(),
                "an explicit entrypoint wins: "
                    + e.origin().describe()
                    + " gives it"
                    + http2
                        .map(
                            h ->
                                "; it must serve HTTP/2 without TLS (h2c), as "
                                    + h.describe()
                                    + " asks")
                        .orElse(""));
      } else if (app.isPresent()) {
        server = ServerChooser.serverFor(app.get(), deps.dependencies(), threads, http2, errors);
      }

      String name = serviceName(overrides, serviceYaml, appYaml, sourceDir);
      Scaling scaling = ServiceFacets.scaling(appYaml, serviceYaml, instances, instancesBy, errors);
      Concurrency concurrency = ServiceFacets.concurrency(serviceYaml);
      Probes probes = ServiceFacets.probes(appYaml, serviceYaml);
      Resources resources = ServiceFacets.resources(appYaml, serviceYaml);

      if (!errors.isEmpty() || python.isEmpty() || server == null) {
        if (errors.isEmpty()) {
          errors.add(SpecProblem.ofFile(appDir, "cannot decide how to run this folder", ""));
        }
        return new SpecResult.Invalid(SpecProblem.inFileOrder(errors));
      }
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
              scaling,
              probes,
              resources,
              concurrency,
              appYaml.isPresent(),
              http2.isPresent());
      return new SpecResult.Loaded(spec, SpecProblem.inFileOrder(warnings));
    }

    /**
     * The dependency file of {@code outer} that {@code inner} lacks ({@code requirements.txt} or
     * {@code pyproject.toml}), when serving {@code inner} alone would leave it behind.
     */
    Optional<String> dependenciesLeftBehind(Path outer, Path inner) {
      List<String> files = List.of("requirements.txt", "pyproject.toml");
      if (files.stream().anyMatch(f -> Files.isRegularFile(inner.resolve(f)))) {
        return Optional.empty();
      }
      return files.stream().filter(f -> Files.isRegularFile(outer.resolve(f))).findFirst();
    }

    /** A single subfolder that looks like an app folder, for the "no app found" hint. */
    Optional<String> appsBelow() {
      List<String> marks =
          List.of("main.py", "app.py", "manage.py", "app.yaml", "Procfile", "service.yaml");
      try (var children = Files.list(appDir)) {
        List<String> apps =
            children
                .filter(Files::isDirectory)
                .filter(c -> marks.stream().anyMatch(m -> Files.isRegularFile(c.resolve(m))))
                .map(c -> c.getFileName().toString())
                .sorted()
                .toList();
        return apps.size() == 1 ? Optional.of(apps.get(0)) : Optional.empty();
      } catch (IOException e) {
        return Optional.empty();
      }
    }

    <T> Optional<T> readIf(
        String fileName,
        java.util.function.Function<Path, T> reader,
        java.util.function.Function<T, List<SpecProblem>> errorsOf,
        java.util.function.Function<T, List<SpecProblem>> warningsOf) {
      Path file = appDir.resolve(fileName);
      if (!Files.isRegularFile(file)) {
        return Optional.empty();
      }
      T read = reader.apply(file);
      errors.addAll(errorsOf.apply(read));
      warnings.addAll(warningsOf.apply(read));
      return Optional.of(read);
    }

    /**
     * The Dockerfile Pylon follows, if any: Cloud Run builds one when the folder has it, and App
     * Engine with {@code runtime: custom}; App Engine's python runtime does not.
     */
    Optional<DockerfileReader.Dockerfile> dockerfile(Optional<AppYamlReader.AppYaml> appYaml) {
      Path file = appDir.resolve("Dockerfile");
      Optional<Origin> custom = appYaml.flatMap(AppYamlReader.AppYaml::customRuntime);
      if (!Files.isRegularFile(file)) {
        custom.ifPresent(
            at ->
                warnings.add(
                    at.problem(
                        "runtime: custom builds the folder's Dockerfile, and there is none; Pylon"
                            + " serves what it finds instead",
                        "add a Dockerfile (FROM python:3.12-slim ... CMD ...), or write `runtime:"
                            + " python` and an entrypoint")));
        return Optional.empty();
      }
      if (appYaml.isPresent() && custom.isEmpty()) {
        warnings.add(
            Origin.ofFile(file)
                .problem(
                    "App Engine's python runtime does not build the Dockerfile, so Pylon ignores"
                        + " it and app.yaml decides",
                    "write `runtime: custom` in app.yaml if the Dockerfile is how the app runs"));
        return Optional.empty();
      }
      Optional<DockerfileReader.Dockerfile> read = dockerfileReader.read(file);
      read.ifPresent(d -> warnings.addAll(d.warnings()));
      return read.filter(DockerfileReader.Dockerfile::followed);
    }

    /**
     * Whether the Dockerfile's command would serve on $PORT; when it would not (a fixed port), it
     * is set aside with a warning rather than stopping an app the rest of the folder can serve.
     */
    boolean dockerfileCommandServes(Located<String> command) {
      List<SpecProblem> refused = new ArrayList<>();
      EntrypointCheck.check(command, refused, new ArrayList<>());
      for (SpecProblem p : refused) {
        warnings.add(
            new SpecProblem(
                p.file(),
                p.line(),
                p.column(),
                "Pylon does not run the Dockerfile's command: " + p.message(),
                p.hint() + "; until then Pylon serves what the rest of the folder says",
                p.sourceLine()));
      }
      return refused.isEmpty();
    }

    /** Requests in precedence order; the first decides, the rest must agree or warn. */
    Optional<Interpreter> interpreter(
        Optional<AppYamlReader.AppYaml> appYaml,
        Optional<DockerfileReader.Dockerfile> dockerfile,
        DependencyReader.Read deps) {
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
      dockerfile.flatMap(DockerfileReader.Dockerfile::python).ifPresent(requests::add);
      VersionFiles.pythonVersion(appDir.resolve(".python-version"), warnings)
          .ifPresent(requests::add);
      VersionFiles.runtimeTxt(appDir.resolve("runtime.txt"), errors).ifPresent(requests::add);
      deps.requiresPython().ifPresent(requests::add);
      // App Engine's legacy python_version: a flag overrides it; `3` only asks for a Python 3, so
      // it comes after every file that names a version; the rest App Engine ran past end of life.
      Optional<LegacyPythonVersion> legacy = appYaml.flatMap(AppYamlReader.AppYaml::legacyPython);
      boolean flag = overrides.python().isPresent();
      if (legacy.isPresent() && !flag) {
        if (legacy.get().anyPython3()) {
          legacy.get().request().ifPresent(requests::add);
        } else {
          errors.add(legacy.get().refusal());
        }
      }
      if (!errors.isEmpty()) {
        return Optional.empty();
      }
      InterpreterChooser.Choice choice =
          new InterpreterChooser(finder, provisioner).choose(requests);
      errors.addAll(choice.errors());
      warnings.addAll(choice.warnings());
      if (legacy.isPresent() && choice.interpreter().isPresent()) {
        Origin decider = requests.get(0).origin();
        warnings.add(
            legacy
                .get()
                .note(
                    choice.interpreter().get(),
                    decider.equals(legacy.get().origin())
                        ? Optional.empty()
                        : Optional.of(decider.describe())));
      }
      return choice.interpreter();
    }

    /** Asks the interpreter what the app object is; reading the code is the fallback. */
    Optional<AppTarget> probed(
        AppTarget app,
        String foundBy,
        Interpreter python,
        Path sourceDir,
        Map<String, String> env,
        boolean hasEntrypoint) {
      AppProbe.Answer answer = prober.ask(python, sourceDir, app, env);
      Path file =
          AppDetector.moduleFile(appDir, app.importRoot(), app.module())
              .orElse(appDir.resolve(app.module().replace('.', '/') + ".py"));
      String shown = appDir.relativize(file).toString();
      switch (answer) {
        case AppProbe.Answer.Inspected i -> {
          boolean django = app.djangoSettings().isPresent();
          AppTarget.Kind kind =
              switch (i.kind()) {
                case "wsgi" -> django ? AppTarget.Kind.DJANGO_WSGI : AppTarget.Kind.WSGI;
                case "asgi" -> django ? AppTarget.Kind.DJANGO_ASGI : AppTarget.Kind.ASGI;
                case "not-callable" -> {
                  if (!hasEntrypoint) {
                    errors.add(
                        Origin.ofFile(file)
                            .problem(
                                "`"
                                    + app.attribute()
                                    + "` in "
                                    + shown
                                    + " is a "
                                    + i.type()
                                    + ", not a WSGI or ASGI application",
                                "make `"
                                    + app.attribute()
                                    + "` the application object, or name"
                                    + " the right one with --app MODULE:ATTR"));
                  }
                  yield app.kind();
                }
                default -> app.kind();
              };
          String how =
              i.kind().equals("unknown")
                  ? app.decidedBy() + "; importing it found " + i.type() + ", which does not say"
                  : foundBy
                      + "; importing it found "
                      + i.type()
                      + " ("
                      + i.kind().toUpperCase(Locale.ROOT)
                      + ")";
          if (i.factory()) {
            return Optional.of(
                app.asFactory(
                    kind,
                    foundBy
                        + "; it is an app factory, so the server calls "
                        + app.attribute()
                        + "() and serves what it returns: "
                        + i.type()
                        + (i.kind().equals("unknown")
                            ? ""
                            : " (" + i.kind().toUpperCase(Locale.ROOT) + ")")));
          }
          return Optional.of(app.withKind(kind, how));
        }
        case AppProbe.Answer.NoAttribute n -> {
          if (!hasEntrypoint) {
            errors.add(
                Origin.ofFile(file)
                    .problem(
                        shown + " has no `" + app.attribute() + "` once imported",
                        n.callables().isEmpty()
                            ? "define `" + app.attribute() + "` at the top level of " + shown
                            : "it defines "
                                + String.join(", ", n.callables())
                                + "; name the app with --app "
                                + app.module()
                                + ":NAME"));
          }
          return Optional.of(app);
        }
        case AppProbe.Answer.BadSyntax b -> {
          Path bad =
              b.file().startsWith(sourceDir)
                  ? appDir.resolve(sourceDir.relativize(b.file()))
                  : b.file();
          errors.add(
              new SpecProblem(
                  bad,
                  Math.max(0, b.line()),
                  Math.max(0, b.column()),
                  b.message(),
                  "fix the code; Python " + python.version() + " cannot compile it",
                  b.text()));
          return Optional.of(app);
        }
        case AppProbe.Answer.ImportFailed f -> {
          return Optional.of(
              app.withKind(
                  app.kind(),
                  app.decidedBy()
                      + " (importing it here failed with "
                      + f.error()
                      + ", so the code decided)"));
        }
        case AppProbe.Answer.NoAnswer none -> {
          warnings.add(
              Origin.ofFile(file)
                  .problem(
                      "could not import " + app.module() + " to check it: " + none.why(),
                      "keep work at import time short; Pylon read the code instead"));
          return Optional.of(app);
        }
      }
    }
  }

  private static String serviceName(
      SpecOverrides overrides,
      Optional<ServiceYamlReader.ServiceYaml> serviceYaml,
      Optional<AppYamlReader.AppYaml> appYaml,
      Path sourceDir) {
    String raw =
        overrides
            .service()
            .or(() -> serviceYaml.flatMap(ServiceYamlReader.ServiceYaml::name).map(Located::value))
            .or(() -> appYaml.flatMap(AppYamlReader.AppYaml::service).map(Located::value))
            .orElseGet(
                () -> sourceDir.getFileName() == null ? "app" : sourceDir.getFileName().toString());
    return ServiceNames.sanitize(raw);
  }
}
