package dev.pylon.spec;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Picks the interpreter: the first request in precedence order decides; with no request, the first
 * {@code python3} on PATH. Requests that the choice does not satisfy become warnings.
 */
final class InterpreterChooser {

  /** Python release lines past their end of life, with the date support ended. */
  static final Map<String, String> END_OF_LIFE =
      Map.ofEntries(
          Map.entry("2", "2020-01-01"),
          Map.entry("3.0", "2009-06-27"),
          Map.entry("3.1", "2012-04-09"),
          Map.entry("3.2", "2016-02-20"),
          Map.entry("3.3", "2017-09-29"),
          Map.entry("3.4", "2019-03-18"),
          Map.entry("3.5", "2020-09-30"),
          Map.entry("3.6", "2021-12-23"),
          Map.entry("3.7", "2023-06-27"),
          Map.entry("3.8", "2024-10-07"),
          Map.entry("3.9", "2025-10-31"),
          Map.entry("3.10", "2026-10-31"));

  private final PythonFinder finder;

  InterpreterChooser(PythonFinder finder) {
    this.finder = finder;
  }

  /** The choice, or the problem that prevents one. */
  record Choice(
      Optional<Interpreter> interpreter, List<SpecProblem> errors, List<SpecProblem> warnings) {}

  Choice choose(List<PythonRequest> requests) {
    if (requests.isEmpty()) {
      Optional<PythonFinder.Found> onPath = finder.firstOnPath();
      Optional<PythonFinder.Found> any =
          onPath.or(
              () ->
                  finder.all().stream()
                      .filter(f -> f.parsedVersion().major() == 3)
                      .max(Comparator.comparing(PythonFinder.Found::parsedVersion)));
      if (any.isEmpty()) {
        return new Choice(
            Optional.empty(),
            List.of(
                SpecProblem.ofFile(
                    java.nio.file.Path.of("python3"),
                    "no Python 3 interpreter found on PATH, in pyenv, /usr/bin, /usr/local/bin or"
                        + " uv's installs",
                    "install one (`apt-get install python3`, `pyenv install 3.12` or `uv python"
                        + " install 3.12`) or pass --python /path/to/python3")),
            List.of());
      }
      PythonFinder.Found f = any.get();
      String why =
          onPath.isPresent()
              ? "the first python3 on PATH (nothing asks for a version)"
              : "the first Python 3 found (none on PATH; nothing asks for a version)";
      List<SpecProblem> eol =
          eolWarning(f, Origin.ofFile(f.executable())).map(List::of).orElse(List.of());
      if (f.parsedVersion().major() < 3) {
        return new Choice(Optional.empty(), List.of(eol.get(0)), List.of());
      }
      return new Choice(Optional.of(interpreter(f, why)), List.of(), eol);
    }
    PythonRequest deciding = requests.get(0);
    Optional<SpecProblem> refused = refusal(deciding);
    if (refused.isPresent()) {
      return new Choice(Optional.empty(), List.of(refused.get()), List.of());
    }
    Optional<PythonFinder.Found> found;
    if (deciding.path().isPresent()) {
      found = finder.probe(deciding.path().get());
      if (found.isEmpty()) {
        return new Choice(
            Optional.empty(),
            List.of(
                deciding
                    .origin()
                    .problem(
                        deciding.path().get() + " is not a working Python interpreter",
                        "give the path of a python3 binary, or a version such as 3.11; found"
                            + " here: "
                            + listFound())),
            List.of());
      }
    } else {
      // The first python3 on PATH if it matches, else the newest that does.
      found = finder.onPath().stream().filter(f -> deciding.matches(f.parsedVersion())).findFirst();
      if (found.isEmpty()) {
        found =
            finder.all().stream()
                .filter(f -> deciding.matches(f.parsedVersion()))
                .max(Comparator.comparing(PythonFinder.Found::parsedVersion));
      }
      if (found.isEmpty()) {
        String wanted = deciding.installableVersion().orElse(deciding.text());
        return new Choice(
            Optional.empty(),
            List.of(
                deciding
                    .origin()
                    .problem(
                        "Python " + deciding.text() + " is requested but not installed here",
                        "installed: "
                            + listFound()
                            + ". Install it with `pyenv install "
                            + wanted
                            + "` or `uv python install "
                            + wanted
                            + "`, or ask for an installed version")),
            List.of());
      }
    }
    PythonFinder.Found chosen = found.get();
    String why = deciding.origin().describe() + " asks for " + deciding.text();
    List<SpecProblem> warnings = new ArrayList<>();
    eolWarning(chosen, deciding).ifPresent(warnings::add);
    for (PythonRequest other : requests.subList(1, requests.size())) {
      if (other.path().isEmpty() && !other.matches(chosen.parsedVersion())) {
        warnings.add(
            other
                .origin()
                .problem(
                    "asks for Python "
                        + other.text()
                        + " but "
                        + deciding.origin().describe()
                        + " decides "
                        + chosen.version(),
                    "make the two agree, or remove the one you do not mean"));
      }
    }
    return new Choice(Optional.of(interpreter(chosen, why)), List.of(), List.copyOf(warnings));
  }

  private static Optional<SpecProblem> refusal(PythonRequest request) {
    return request.clauses().stream()
        .filter(c -> c.operator().equals("prefix") || c.operator().equals("=="))
        .map(PythonRequest.Clause::version)
        .filter(v -> v.major() < 3)
        .findFirst()
        .map(
            v ->
                request
                    .origin()
                    .problem(
                        "Python "
                            + v
                            + " reached its end of life on "
                            + END_OF_LIFE.get("2")
                            + "; Pylon does not run it",
                        "port the app to Python 3 and ask for a supported version such as 3.12"));
  }

  private static Optional<SpecProblem> eolWarning(PythonFinder.Found chosen, PythonRequest by) {
    return eolWarning(chosen, by.origin());
  }

  private static Optional<SpecProblem> eolWarning(PythonFinder.Found chosen, Origin by) {
    PythonVersion v = chosen.parsedVersion();
    String line = v.major() < 3 ? "2" : v.major() + "." + v.minor();
    String date = END_OF_LIFE.get(line);
    if (date == null) {
      return Optional.empty();
    }
    return Optional.of(
        by.problem(
            "Python "
                + line
                + " reached its end of life on "
                + date
                + " and gets no security fixes",
            "move to a supported version such as 3.12"));
  }

  private static Interpreter interpreter(PythonFinder.Found f, String why) {
    return new Interpreter(
        f.executable(),
        f.version(),
        "Python " + f.version() + " at " + f.executable() + ": " + why);
  }

  private String listFound() {
    List<PythonFinder.Found> all = finder.all();
    if (all.isEmpty()) {
      return "none";
    }
    return all.stream()
        .sorted(Comparator.comparing(PythonFinder.Found::parsedVersion, Comparator.reverseOrder()))
        .map(f -> f.version() + " (" + f.executable() + ")")
        .collect(Collectors.joining(", "));
  }
}
