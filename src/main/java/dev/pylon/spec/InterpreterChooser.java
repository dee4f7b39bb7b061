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
  private final Optional<PythonProvisioner> provisioner;

  InterpreterChooser(PythonFinder finder) {
    this(finder, Optional.empty());
  }

  /**
   * @param provisioner installs a requested version that is not on this machine; without one such a
   *     request is an error
   */
  InterpreterChooser(PythonFinder finder, Optional<PythonProvisioner> provisioner) {
    this.finder = finder;
    this.provisioner = provisioner;
  }

  /** The choice, or the problem that prevents one. */
  record Choice(
      Optional<Interpreter> interpreter, List<SpecProblem> errors, List<SpecProblem> warnings) {}

  Choice choose(List<PythonRequest> requests) {
    if (requests.isEmpty()) {
      return chooseWithoutRequest();
    }
    PythonRequest deciding = requests.get(0);
    Optional<SpecProblem> refused = refusal(deciding);
    if (refused.isPresent()) {
      return new Choice(Optional.empty(), List.of(refused.get()), List.of());
    }
    List<SpecProblem> warnings = new ArrayList<>();
    String why = deciding.origin().describe() + " asks for " + deciding.text();
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
      found = installed(deciding);
      if (found.isEmpty()) {
        found = deciding.patchRelaxed().flatMap(this::installed);
        found.ifPresent(
            f ->
                warnings.add(
                    deciding
                        .origin()
                        .problem(
                            "asks for Python "
                                + deciding.text()
                                + ", which is not installed; Pylon uses "
                                + f.version()
                                + ", the installed "
                                + f.parsedVersion().major()
                                + "."
                                + f.parsedVersion().minor()
                                + " release",
                            "releases of one line differ only in fixes; write "
                                + f.parsedVersion().major()
                                + "."
                                + f.parsedVersion().minor()
                                + " to accept any of them")));
      }
      if (found.isEmpty() && provisioner.isPresent()) {
        switch (provision(deciding)) {
          case Provisioned.Done done -> {
            found = Optional.of(done.found());
            done.warning().ifPresent(warnings::add);
            why += " (not installed here: downloaded from " + provisioner.get().source() + ")";
          }
          case Provisioned.NoBuild none -> {
            return notInstalled(
                deciding,
                provisioner.get().source()
                    + " has no build of it either (it has "
                    + none.has()
                    + ")");
          }
          case Provisioned.Failed failed -> {
            return new Choice(
                Optional.empty(),
                List.of(
                    deciding
                        .origin()
                        .problem(
                            "Python "
                                + deciding.text()
                                + " is requested but not installed here, and downloading it"
                                + " failed: "
                                + failed.error().getMessage(),
                            failed.error().hint())),
                List.of());
          }
        }
      }
      if (found.isEmpty()) {
        return notInstalled(deciding, "");
      }
    }
    PythonFinder.Found chosen = found.get();
    if (chosen.where().equals("pylon") && !why.contains("downloaded")) {
      why += " (a build Pylon provisioned earlier)";
    }
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

  /** The first python3 on PATH; else the newest Python 3 found; else a download of the newest. */
  private Choice chooseWithoutRequest() {
    Optional<PythonFinder.Found> onPath = finder.firstOnPath();
    Optional<PythonFinder.Found> any =
        onPath.or(
            () ->
                finder.all().stream()
                    .filter(f -> f.parsedVersion().major() == 3)
                    .max(Comparator.comparing(PythonFinder.Found::parsedVersion)));
    String why =
        onPath.isPresent()
            ? "the first python3 on PATH (nothing asks for a version)"
            : "the first Python 3 found (none on PATH; nothing asks for a version)";
    String downloadFailure = "";
    if (any.isEmpty() && provisioner.isPresent()) {
      Origin nothing = Origin.ofFile(java.nio.file.Path.of("python3"));
      PythonRequest python3 = PythonRequest.versionOrPath("3", nothing).orElseThrow();
      switch (provision(python3)) {
        case Provisioned.Done done -> {
          any = Optional.of(done.found());
          why =
              "none is installed here and nothing asks for a version: the newest build from "
                  + provisioner.get().source();
        }
        case Provisioned.NoBuild none ->
            downloadFailure = "; " + provisioner.get().source() + " has no build for this machine";
        case Provisioned.Failed failed ->
            downloadFailure = "; downloading one failed: " + failed.error().getMessage();
      }
    }
    if (any.isEmpty()) {
      return new Choice(
          Optional.empty(),
          List.of(
              SpecProblem.ofFile(
                  java.nio.file.Path.of("python3"),
                  "no Python 3 interpreter found on PATH, in pyenv, /usr/bin, /usr/local/bin or"
                      + " uv's installs"
                      + downloadFailure,
                  "install one (`apt-get install python3`, `pylon python install 3.12`, `pyenv"
                      + " install 3.12` or `uv python install 3.12`) or pass --python"
                      + " /path/to/python3")),
          List.of());
    }
    PythonFinder.Found f = any.get();
    List<SpecProblem> eol =
        eolWarning(f, Origin.ofFile(f.executable())).map(List::of).orElse(List.of());
    if (f.parsedVersion().major() < 3) {
      return new Choice(Optional.empty(), List.of(eol.get(0)), List.of());
    }
    return new Choice(Optional.of(interpreter(f, why)), List.of(), eol);
  }

  /** The first python3 on PATH if it matches, else the newest installed one that does. */
  private Optional<PythonFinder.Found> installed(PythonRequest request) {
    Optional<PythonFinder.Found> found =
        finder.onPath().stream().filter(f -> request.matches(f.parsedVersion())).findFirst();
    if (found.isEmpty()) {
      found =
          finder.all().stream()
              .filter(f -> request.matches(f.parsedVersion()))
              .max(Comparator.comparing(PythonFinder.Found::parsedVersion));
    }
    return found;
  }

  /** What asking the provisioner for a request came to. */
  private sealed interface Provisioned {
    record Done(PythonFinder.Found found, Optional<SpecProblem> warning) implements Provisioned {}

    record NoBuild(String has) implements Provisioned {}

    record Failed(PythonProvisionException error) implements Provisioned {}
  }

  private Provisioned provision(PythonRequest request) {
    PythonProvisioner p = provisioner.orElseThrow();
    try {
      List<PythonVersion> available = p.installable();
      Optional<DownloadChoice> choice = DownloadChoice.of(request, available);
      if (choice.isEmpty()) {
        return new Provisioned.NoBuild(
            available.isEmpty()
                ? "none"
                : available.stream()
                    .sorted(Comparator.reverseOrder())
                    .map(PythonVersion::toString)
                    .collect(Collectors.joining(", ")));
      }
      PythonVersion version = choice.get().version();
      java.nio.file.Path executable = p.install(version);
      finder.rediscover();
      Optional<PythonFinder.Found> found = finder.probe(executable);
      if (found.isEmpty()) {
        throw new PythonProvisionException(
            executable + " was installed but does not run",
            "delete its folder and try again; the build may not suit this machine");
      }
      Optional<SpecProblem> warning =
          choice.get().otherPatch()
              ? Optional.of(
                  request
                      .origin()
                      .problem(
                          "asks for Python "
                              + request.text()
                              + ", which "
                              + p.source()
                              + " has no build of; Pylon installed "
                              + version
                              + ", the newest of that line",
                          "releases of one line differ only in fixes; write "
                              + version.major()
                              + "."
                              + version.minor()
                              + " to accept any of them"))
              : Optional.empty();
      return new Provisioned.Done(found.get().foundBy("pylon"), warning);
    } catch (PythonProvisionException e) {
      return new Provisioned.Failed(e);
    }
  }

  private Choice notInstalled(PythonRequest deciding, String noDownload) {
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
                        + (noDownload.isEmpty() ? "" : "; " + noDownload)
                        + ". Install it with `pyenv install "
                        + wanted
                        + "` or `uv python install "
                        + wanted
                        + "`, or ask for an installed version")),
        List.of());
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
