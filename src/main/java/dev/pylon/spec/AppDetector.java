package dev.pylon.spec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the app object in a folder by reading the code: {@code --app} when given, else a Django
 * project through {@code manage.py}, else the conventional modules ({@code main}, {@code app},
 * {@code wsgi}, {@code asgi}). Tells WSGI from ASGI by what the code constructs or defines.
 */
final class AppDetector {
  private static final Pattern APP_REFERENCE =
      Pattern.compile(
          "([A-Za-z_][A-Za-z0-9_]*(?:\\.[A-Za-z_][A-Za-z0-9_]*)*)"
              + "(?::([A-Za-z_][A-Za-z0-9_]*)(\\(\\s*\\))?)?");

  /** The factories {@code flask --app MODULE} calls when MODULE has no app object. */
  private static final List<String> FLASK_FACTORIES = List.of("create_app", "make_app");

  private static final Pattern DJANGO_SETTINGS =
      Pattern.compile("DJANGO_SETTINGS_MODULE['\"]\\s*,\\s*['\"]([A-Za-z0-9_.]+)['\"]");
  private static final Pattern DJANGO_APPLICATION =
      Pattern.compile("(?m)^(WSGI|ASGI)_APPLICATION\\s*=\\s*['\"]([A-Za-z0-9_.]+)['\"]");
  private static final List<String> ASGI_MARKERS =
      List.of(
          "FastAPI(",
          "Starlette(",
          "Quart(",
          "Litestar(",
          "falcon.asgi.App(",
          "get_asgi_application(",
          "Sanic(");
  private static final List<String> WSGI_MARKERS =
      List.of(
          "Flask(",
          "Bottle(",
          "falcon.App(",
          "falcon.API(",
          "get_wsgi_application(",
          "make_wsgi_app(",
          "WSGIHandler(");
  private static final Pattern FACTORY =
      Pattern.compile("(?m)^def\\s+((?:create|make|build|get)_app(?:lication)?)\\s*\\(");
  private static final List<Path> IMPORT_ROOTS = List.of(Path.of(""), Path.of("src"));
  private static final Set<String> NOT_APP_PACKAGES =
      Set.of("tests", "test", "migrations", "venv", "node_modules", "docs");

  /** What detection found. {@code looked} lists what was tried, for the "no app" error. */
  record Detected(
      Optional<AppTarget> app,
      String foundBy,
      List<SpecProblem> errors,
      List<SpecProblem> warnings,
      List<String> looked) {}

  Detected detect(Path dir, Optional<String> appFlag, Dependencies deps) {
    if (appFlag.isPresent()) {
      return fromFlag(dir, appFlag.get());
    }
    List<String> looked = new ArrayList<>();
    Optional<Detected> django = django(dir, deps, looked);
    if (django.isPresent()) {
      return django.get();
    }
    List<String> names = new ArrayList<>();
    Defaults.CONVENTIONAL_APPS.forEach(c -> names.add(c.getKey() + ".py"));
    looked.add(
        String.join(", ", names)
            + " defining app or application, at the top, in src/ and in their packages");
    for (Map.Entry<Path, String> place : places(dir)) {
      Path root = place.getKey();
      for (Map.Entry<String, List<String>> conventional : Defaults.CONVENTIONAL_APPS) {
        String module = place.getValue() + conventional.getKey();
        Optional<Path> file = moduleFile(dir, root, module);
        if (file.isEmpty()) {
          continue;
        }
        String shown = dir.relativize(file.get()).toString();
        String code = read(file.get());
        for (String attribute : conventional.getValue()) {
          if (defines(code, attribute)) {
            AppTarget.Kind kind = kindOf(code, attribute);
            String foundBy = shown + " defines `" + attribute + "`";
            return found(
                new AppTarget(
                    module,
                    attribute,
                    kind,
                    Optional.empty(),
                    root,
                    foundBy + "; " + kindWords(kind, code, attribute)),
                foundBy);
          }
        }
      }
    }
    Optional<Detected> factoryPackage = factoryPackage(dir);
    if (factoryPackage.isPresent()) {
      return factoryPackage.get();
    }
    Optional<Path> main = moduleFile(dir, Path.of(""), "main");
    if (main.isPresent()) {
      String code = read(main.get());
      Matcher factory = FACTORY.matcher(code);
      String hint =
          factory.find()
              ? "main.py defines "
                  + factory.group(1)
                  + "(); add `app = "
                  + factory.group(1)
                  + "()` at the top level of main.py"
              : "define `app` at the top level of main.py (for example `app = Flask(__name__)`),"
                  + " or name your app object with --app main:NAME";
      return error(
          Origin.ofFile(main.get())
              .problem("main.py defines no top-level `app` or `application`", hint));
    }
    return new Detected(Optional.empty(), "", List.of(), List.of(), List.copyOf(looked));
  }

  /**
   * Flask's tutorial layout: a package whose {@code __init__.py} defines {@code create_app()} and
   * nothing that names an app object. Cloud Run would not guess it either, so this is an error
   * whose hint says the one word that serves it.
   */
  private static Optional<Detected> factoryPackage(Path dir) {
    for (Map.Entry<Path, String> place : places(dir)) {
      if (place.getValue().isEmpty()) {
        continue;
      }
      String module = place.getValue().substring(0, place.getValue().length() - 1);
      Optional<Path> init = moduleFile(dir, place.getKey(), module);
      if (init.isEmpty()) {
        continue;
      }
      String code = read(init.get());
      for (String factory : FLASK_FACTORIES) {
        if (takesNoArguments(code, factory)) {
          String shown = dir.relativize(init.get()).toString();
          return Optional.of(
              error(
                  Origin.ofFile(init.get())
                      .problem(
                          shown
                              + " defines "
                              + factory
                              + "(), an app factory, and nothing says to call it",
                          "pass --app "
                              + module
                              + " (Pylon calls "
                              + factory
                              + "(), as `flask --app "
                              + module
                              + "` does), or add a Procfile line `web: gunicorn --bind :$PORT '"
                              + module
                              + ":"
                              + factory
                              + "()'`")));
        }
      }
    }
    return Optional.empty();
  }

  /** Whether the code defines {@code def name(...)} at top level with no required parameters. */
  static boolean takesNoArguments(String code, String name) {
    Matcher def =
        Pattern.compile("(?m)^def\\s+" + Pattern.quote(name) + "\\s*\\(([^)]*)\\)").matcher(code);
    if (!def.find()) {
      return false;
    }
    return Arrays.stream(def.group(1).split(","))
        .map(String::strip)
        .filter(p -> !p.isEmpty() && !p.startsWith("*") && !p.equals("/"))
        .allMatch(p -> p.contains("="));
  }

  /** What a factory returns, by what the module constructs. */
  private static AppTarget.Kind factoryKindOf(String code) {
    boolean asgi = ASGI_MARKERS.stream().anyMatch(code::contains);
    boolean wsgi = WSGI_MARKERS.stream().anyMatch(code::contains);
    if (asgi != wsgi) {
      return asgi ? AppTarget.Kind.ASGI : AppTarget.Kind.WSGI;
    }
    return AppTarget.Kind.UNKNOWN;
  }

  /**
   * Where conventional modules may live, in order: the folder, src/, then each package (a folder
   * with __init__.py) in the folder and in src/. Each is an import root and a module prefix.
   */
  private static List<Map.Entry<Path, String>> places(Path dir) {
    List<Map.Entry<Path, String>> places = new ArrayList<>();
    for (Path root : IMPORT_ROOTS) {
      places.add(Map.entry(root, ""));
    }
    for (Path root : IMPORT_ROOTS) {
      Path base = dir.resolve(root);
      if (!Files.isDirectory(base)) {
        continue;
      }
      try (var children = Files.list(base)) {
        children
            .filter(c -> Files.isRegularFile(c.resolve("__init__.py")))
            .map(c -> c.getFileName().toString())
            .filter(n -> n.matches("[A-Za-z_][A-Za-z0-9_]*") && !NOT_APP_PACKAGES.contains(n))
            .sorted()
            .forEach(n -> places.add(Map.entry(root, n + ".")));
      } catch (IOException e) {
        // an unreadable folder has no app to find
      }
    }
    return places;
  }

  private Detected fromFlag(Path dir, String reference) {
    Origin flag = Origin.ofFlag("--app");
    Matcher m = APP_REFERENCE.matcher(reference.strip());
    if (!m.matches()) {
      return error(
          flag.problem(
              "--app " + reference + " is not MODULE:ATTR",
              "write it like --app main:app or --app mysite.wsgi:application"));
    }
    String module = m.group(1);
    String attribute = m.group(2) == null ? "app" : m.group(2);
    boolean called = m.group(3) != null;
    for (Path root : IMPORT_ROOTS) {
      Optional<Path> file = moduleFile(dir, root, module);
      if (file.isPresent()) {
        String code = read(file.get());
        Path shown = dir.relativize(file.get());
        String conventionNote = "";
        if (m.group(2) == null && !defines(code, "app")) {
          // Flask's convention for `--app MODULE`: app or application, else a factory.
          Optional<String> byConvention =
              defines(code, "application")
                  ? Optional.of("application")
                  : FLASK_FACTORIES.stream().filter(f -> takesNoArguments(code, f)).findFirst();
          if (byConvention.isPresent()) {
            attribute = byConvention.get();
            called = !attribute.equals("application");
            conventionNote =
                " (" + module + " has no `app`; Flask's convention takes " + attribute + ")";
          }
        }
        if (!defines(code, attribute)) {
          return error(
              flag.problem(
                  shown + " has no top-level `" + attribute + "`",
                  "define `"
                      + attribute
                      + "` there, or name the right object with --app "
                      + module
                      + ":NAME"));
        }
        boolean factory = called || takesNoArguments(code, attribute);
        AppTarget.Kind kind = factory ? factoryKindOf(code) : kindOf(code, attribute);
        String foundBy = "--app " + reference.strip() + conventionNote;
        return found(
            new AppTarget(
                module,
                attribute,
                kind,
                Optional.empty(),
                root,
                foundBy
                    + "; "
                    + (factory
                        ? attribute + "() is an app factory: the server calls it"
                        : kindWords(kind, code, attribute)),
                factory),
            foundBy);
      }
    }
    String asPath = module.replace('.', '/');
    return error(
        flag.problem(
            "--app names module `"
                + module
                + "`, but there is no "
                + asPath
                + ".py or "
                + asPath
                + "/__init__.py in "
                + dir,
            "give the module's dotted name relative to the app folder"));
  }

  private Optional<Detected> django(Path dir, Dependencies deps, List<String> looked) {
    Path manage = dir.resolve("manage.py");
    looked.add("manage.py (Django)");
    if (!Files.isRegularFile(manage)) {
      return Optional.empty();
    }
    String manageCode = read(manage);
    Matcher settingsMatch = DJANGO_SETTINGS.matcher(manageCode);
    if (!settingsMatch.find()) {
      return Optional.of(
          error(
              Origin.ofFile(manage)
                  .problem(
                      "manage.py does not set DJANGO_SETTINGS_MODULE, so Pylon cannot find the"
                          + " project",
                      "keep Django's line os.environ.setdefault(\"DJANGO_SETTINGS_MODULE\","
                          + " \"mysite.settings\") in manage.py, or pass --app"
                          + " mysite.wsgi:application")));
    }
    String settings = settingsMatch.group(1);
    // mysite.settings -> mysite; config.settings.production -> config (settings as a package).
    String project =
        settings.contains(".") ? settings.substring(0, settings.lastIndexOf('.')) : settings;
    for (String candidate = project;
        !candidate.isEmpty();
        candidate =
            candidate.contains(".") ? candidate.substring(0, candidate.lastIndexOf('.')) : "") {
      if (moduleFile(dir, Path.of(""), candidate + ".wsgi").isPresent()
          || moduleFile(dir, Path.of(""), candidate + ".asgi").isPresent()) {
        project = candidate;
        break;
      }
    }
    String wsgiModule = project + ".wsgi";
    String asgiModule = project + ".asgi";
    String wsgiAttr = "application";
    String asgiAttr = "application";
    String how = "manage.py sets DJANGO_SETTINGS_MODULE=" + settings;
    Optional<Path> settingsFile = moduleFile(dir, Path.of(""), settings);
    if (settingsFile.isPresent()) {
      Matcher app = DJANGO_APPLICATION.matcher(read(settingsFile.get()));
      while (app.find()) {
        String ref = app.group(2);
        int dot = ref.lastIndexOf('.');
        if (dot > 0) {
          if (app.group(1).equals("WSGI")) {
            wsgiModule = ref.substring(0, dot);
            wsgiAttr = ref.substring(dot + 1);
          } else {
            asgiModule = ref.substring(0, dot);
            asgiAttr = ref.substring(dot + 1);
          }
        }
      }
    }
    Optional<Path> wsgi = moduleFile(dir, Path.of(""), wsgiModule);
    Optional<Path> asgi = moduleFile(dir, Path.of(""), asgiModule);
    boolean preferAsgi =
        asgi.isPresent()
            && (wsgi.isEmpty() || deps.declares("uvicorn") && !deps.declares("gunicorn"));
    if (preferAsgi) {
      String foundBy = how + "; " + dir.relativize(asgi.get()) + " is its ASGI entry point";
      return Optional.of(
          found(
              new AppTarget(
                  asgiModule,
                  asgiAttr,
                  AppTarget.Kind.DJANGO_ASGI,
                  Optional.of(settings),
                  Path.of(""),
                  foundBy),
              foundBy));
    }
    if (wsgi.isPresent()) {
      String foundBy = how + "; " + dir.relativize(wsgi.get()) + " is its WSGI entry point";
      return Optional.of(
          found(
              new AppTarget(
                  wsgiModule,
                  wsgiAttr,
                  AppTarget.Kind.DJANGO_WSGI,
                  Optional.of(settings),
                  Path.of(""),
                  foundBy),
              foundBy));
    }
    return Optional.of(
        error(
            Origin.ofFile(manage)
                .problem(
                    "manage.py names the Django project `"
                        + project
                        + "`, but "
                        + wsgiModule.replace('.', '/')
                        + ".py does not exist",
                    "restore the wsgi.py that `django-admin startproject` made, or pass --app"
                        + " MODULE:ATTR")));
  }

  /** The file of a dotted module under an import root, if it exists. */
  static Optional<Path> moduleFile(Path dir, Path root, String module) {
    Path base = dir.resolve(root).resolve(module.replace('.', '/'));
    Path asFile = base.resolveSibling(base.getFileName() + ".py");
    if (Files.isRegularFile(asFile)) {
      return Optional.of(asFile);
    }
    Path asPackage = base.resolve("__init__.py");
    return Files.isRegularFile(asPackage) ? Optional.of(asPackage) : Optional.empty();
  }

  /** Whether the code binds the name at top level: assignment, def, class or import. */
  static boolean defines(String code, String name) {
    String n = Pattern.quote(name);
    Pattern binding =
        Pattern.compile(
            "(?m)^(?:"
                + n
                + "\\s*(?::[^=\\n]+)?=(?!=)"
                + "|(?:async\\s+)?def\\s+"
                + n
                + "\\s*\\("
                + "|class\\s+"
                + n
                + "\\b"
                + "|from\\s+\\S+\\s+import\\s+(?:\\(?[^\\n]*?,\\s*)?"
                + n
                + "\\b"
                + "|from\\s+\\S+\\s+import\\s+[^\\n]*\\bas\\s+"
                + n
                + "\\b"
                + "|import\\s+[^\\n]*\\bas\\s+"
                + n
                + "\\b"
                + ")");
    return binding.matcher(code).find();
  }

  /** WSGI or ASGI, from what the code constructs or how the callable is declared. */
  static AppTarget.Kind kindOf(String code, String attribute) {
    String n = Pattern.quote(attribute);
    Matcher def =
        Pattern.compile("(?m)^(async\\s+)?def\\s+" + n + "\\s*\\(([^)]*)\\)").matcher(code);
    if (def.find()) {
      long params =
          Arrays.stream(def.group(2).split(","))
              .map(String::strip)
              .filter(p -> !p.isEmpty() && !p.startsWith("*"))
              .count();
      if (def.group(1) != null || params == 3) {
        return AppTarget.Kind.ASGI;
      }
      if (params == 2) {
        return AppTarget.Kind.WSGI;
      }
    }
    Matcher assigned = Pattern.compile("(?m)^" + n + "\\s*(?::[^=\\n]+)?=([^\\n]*)").matcher(code);
    if (assigned.find()) {
      String value = assigned.group(1);
      if (ASGI_MARKERS.stream().anyMatch(value::contains)) {
        return AppTarget.Kind.ASGI;
      }
      if (WSGI_MARKERS.stream().anyMatch(value::contains)) {
        return AppTarget.Kind.WSGI;
      }
    }
    boolean asgi = ASGI_MARKERS.stream().anyMatch(code::contains);
    boolean wsgi = WSGI_MARKERS.stream().anyMatch(code::contains);
    if (asgi != wsgi) {
      return asgi ? AppTarget.Kind.ASGI : AppTarget.Kind.WSGI;
    }
    return AppTarget.Kind.UNKNOWN;
  }

  private static String kindWords(AppTarget.Kind kind, String code, String attribute) {
    if (kind == AppTarget.Kind.UNKNOWN) {
      return "the code does not say whether it is WSGI or ASGI";
    }
    for (String marker : kind.isAsgi() ? ASGI_MARKERS : WSGI_MARKERS) {
      if (code.contains(marker)) {
        return "the code calls " + marker + ") (" + (kind.isAsgi() ? "ASGI" : "WSGI") + ")";
      }
    }
    return kind.isAsgi()
        ? "the code defines async " + attribute + "(scope, receive, send) (ASGI)"
        : "the code defines " + attribute + "(environ, start_response) (WSGI)";
  }

  private static Detected found(AppTarget app, String foundBy) {
    return new Detected(Optional.of(app), foundBy, List.of(), List.of(), List.of());
  }

  private static Detected error(SpecProblem problem) {
    return new Detected(Optional.empty(), "", List.of(problem), List.of(), List.of());
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
