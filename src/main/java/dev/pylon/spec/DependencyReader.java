package dev.pylon.spec;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads what an app declares it needs: requirements.txt (following {@code -r} includes and {@code
 * -c} constraints) and pyproject.toml (PEP 621 and Poetry), and the Python version pyproject asks
 * for.
 */
final class DependencyReader {
  private static final Pattern NAME =
      Pattern.compile("^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)");
  private static final Pattern EGG = Pattern.compile("#egg=([A-Za-z0-9._-]+)");
  private final TomlMapper toml = new TomlMapper();

  /** What was read. */
  record Read(
      Dependencies dependencies,
      Optional<PythonRequest> requiresPython,
      List<SpecProblem> errors,
      List<SpecProblem> warnings) {}

  Read read(Path dir) {
    return read(dir, List.of());
  }

  /**
   * @param installed the requirements files a Dockerfile installs ({@code RUN pip install -r}),
   *     relative to {@code dir}; when given they are the requirements, in place of requirements.txt
   */
  Read read(Path dir, List<Located<Path>> installed) {
    List<SpecProblem> errors = new ArrayList<>();
    List<SpecProblem> warnings = new ArrayList<>();
    Path requirementsFile = dir.resolve("requirements.txt");
    Path pyprojectFile = dir.resolve("pyproject.toml");

    Optional<Requirements> requirements = Optional.empty();
    String requirementsDecidedBy = requirementsFile.getFileName() + " (pip install -r)";
    if (!installed.isEmpty()) {
      Requirements r = new Requirements();
      Set<Path> visiting = new LinkedHashSet<>();
      for (Located<Path> file : installed) {
        readRequirements(dir.resolve(file.value()), r, false, visiting, errors, Optional.empty());
      }
      requirements = Optional.of(r);
      requirementsDecidedBy =
          String.join(", ", installed.stream().map(f -> f.value().toString()).toList())
              + " (pip install -r, as "
              + installed.get(0).origin().describe()
              + " installs it)";
    } else if (Files.isRegularFile(requirementsFile)) {
      Requirements r = new Requirements();
      readRequirements(requirementsFile, r, false, new LinkedHashSet<>(), errors, Optional.empty());
      requirements = Optional.of(r);
    }
    Optional<Pyproject> pyproject =
        Files.isRegularFile(pyprojectFile)
            ? readPyproject(pyprojectFile, errors)
            : Optional.empty();
    Optional<PythonRequest> requiresPython = pyproject.flatMap(Pyproject::requiresPython);

    Dependencies deps;
    if (requirements.isPresent()) {
      Requirements r = requirements.get();
      String decidedBy = requirementsDecidedBy;
      if (pyproject.isPresent() && pyproject.get().declaresDependencies()) {
        Pyproject p = pyproject.get();
        Set<String> onlyReq = new TreeSet<>(r.packages);
        onlyReq.removeAll(p.packages);
        Set<String> onlyPy = new TreeSet<>(p.packages);
        onlyPy.removeAll(r.packages);
        if (!onlyReq.isEmpty() || !onlyPy.isEmpty()) {
          errors.add(
              p.origin()
                  .problem(
                      "requirements.txt and pyproject.toml ("
                          + p.section()
                          + ") disagree about the dependencies: "
                          + describeDifference(onlyReq, onlyPy),
                      "make them list the same packages (for example regenerate requirements.txt"
                          + " from pyproject.toml), or delete the one you do not use"));
        } else {
          decidedBy += "; pyproject.toml lists the same packages";
        }
      }
      deps =
          new Dependencies(
              Dependencies.Kind.REQUIREMENTS,
              r.files,
              List.copyOf(r.packages),
              List.of(),
              decidedBy,
              r.brought);
    } else if (pyproject.isPresent() && pyproject.get().declaresDependencies()) {
      Pyproject p = pyproject.get();
      deps =
          new Dependencies(
              p.kind(),
              List.of(pyprojectFile),
              List.copyOf(p.packages),
              p.requirements,
              pyprojectFile.getFileName() + " " + p.section(),
              brought(p.requirements));
    } else {
      deps =
          Dependencies.none(
              "no requirements.txt or pyproject.toml dependencies: standard library only");
    }
    return new Read(deps, requiresPython, errors, warnings);
  }

  private static Map<String, String> brought(List<String> requirements) {
    Map<String, String> brought = new LinkedHashMap<>();
    requirements.forEach(r -> BroughtPackages.of(r).forEach(brought::putIfAbsent));
    return brought;
  }

  private static String describeDifference(Set<String> onlyReq, Set<String> onlyPy) {
    List<String> parts = new ArrayList<>();
    if (!onlyReq.isEmpty()) {
      parts.add(String.join(", ", onlyReq) + " only in requirements.txt");
    }
    if (!onlyPy.isEmpty()) {
      parts.add(String.join(", ", onlyPy) + " only in pyproject.toml");
    }
    return String.join("; ", parts);
  }

  // --- requirements.txt ---------------------------------------------------------------------

  private static final class Requirements {
    final List<Path> files = new ArrayList<>();
    final Set<String> packages = new LinkedHashSet<>();
    final Map<String, String> brought = new LinkedHashMap<>();
  }

  private void readRequirements(
      Path file,
      Requirements into,
      boolean constraintsOnly,
      Set<Path> visiting,
      List<SpecProblem> errors,
      Optional<Origin> includedFrom) {
    Path key = file.toAbsolutePath().normalize();
    if (!visiting.add(key)) {
      return; // already read: includes may form a diamond or a cycle
    }
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      Origin at = includedFrom.orElse(Origin.ofFile(file));
      errors.add(at.problem("cannot read " + file + ": " + e.getMessage(), "check the path"));
      return;
    }
    into.files.add(file);
    SourceText source = SourceText.of(file, text);
    List<String> lines = source.lines();
    for (int i = 0; i < lines.size(); i++) {
      int lineNo = i + 1;
      StringBuilder logical = new StringBuilder(lines.get(i));
      while (logical.toString().endsWith("\\") && i + 1 < lines.size()) {
        logical.setLength(logical.length() - 1);
        logical.append(lines.get(++i));
      }
      String line = stripComment(logical.toString()).strip();
      if (line.isEmpty()) {
        continue;
      }
      Origin origin = source.at(lineNo, 1);
      Optional<String> include = optionValue(line, "-r", "--requirement");
      Optional<String> constraint = optionValue(line, "-c", "--constraint");
      if (include.isPresent() || constraint.isPresent()) {
        String target = include.or(() -> constraint).get();
        Path included = file.resolveSibling(target);
        if (!Files.isRegularFile(included)) {
          errors.add(
              origin.problem(
                  "includes " + target + ", which does not exist",
                  "fix the path (it is relative to " + file.getFileName() + ")"));
          continue;
        }
        readRequirements(
            included,
            into,
            constraintsOnly || constraint.isPresent(),
            visiting,
            errors,
            Optional.of(origin));
        continue;
      }
      if (constraintsOnly) {
        continue; // a constraints file pins versions but does not ask for packages
      }
      if (line.startsWith("-e ") || line.startsWith("--editable")) {
        Matcher egg = EGG.matcher(line);
        if (egg.find()) {
          into.packages.add(Dependencies.normalize(egg.group(1)));
        }
        continue;
      }
      if (line.startsWith("-")) {
        continue; // --index-url, --find-links, --hash, --no-binary ...: pip's business
      }
      requirementName(line).ifPresent(n -> into.packages.add(Dependencies.normalize(n)));
      BroughtPackages.of(line).forEach(into.brought::putIfAbsent);
    }
  }

  private static Optional<String> optionValue(String line, String shortName, String longName) {
    for (String name : List.of(longName, shortName)) {
      if (line.startsWith(name + "=")) {
        return Optional.of(line.substring(name.length() + 1).strip());
      }
      if (line.startsWith(name + " ") || line.startsWith(name + "\t")) {
        return Optional.of(line.substring(name.length()).strip());
      }
      if (name.equals(shortName)
          && line.startsWith(name)
          && line.length() > name.length()
          && !line.startsWith(name + "-")) {
        return Optional.of(line.substring(name.length()).strip()); // -rbase.txt
      }
    }
    return Optional.empty();
  }

  private static String stripComment(String line) {
    for (int i = 0; i < line.length(); i++) {
      if (line.charAt(i) == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
        return line.substring(0, i);
      }
    }
    return line;
  }

  /** The distribution name of a PEP 508 requirement, or of a {@code name @ url} one. */
  static Optional<String> requirementName(String requirement) {
    String r = requirement.strip();
    if (r.contains("://") && !r.contains("@")) {
      Matcher egg = EGG.matcher(r);
      return egg.find() ? Optional.of(egg.group(1)) : Optional.empty();
    }
    if (r.startsWith(".") || r.startsWith("/")) {
      return Optional.empty(); // a local path: its name is in its own metadata
    }
    Matcher m = NAME.matcher(r);
    return m.find() ? Optional.of(m.group(1)) : Optional.empty();
  }

  // --- pyproject.toml -----------------------------------------------------------------------

  private record Pyproject(
      Dependencies.Kind kind,
      String section,
      Set<String> packages,
      List<String> requirements,
      Optional<PythonRequest> requiresPython,
      Origin origin,
      boolean declaresDependencies) {}

  private Optional<Pyproject> readPyproject(Path file, List<SpecProblem> errors) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      errors.add(SpecProblem.ofFile(file, "cannot read: " + e.getMessage(), ""));
      return Optional.empty();
    }
    SourceText source = SourceText.of(file, text);
    JsonNode root;
    try {
      root = toml.readTree(text);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      int line = at == null ? 0 : Math.max(0, at.getLineNr());
      int column = at == null ? 0 : Math.max(0, at.getColumnNr());
      errors.add(
          source
              .at(line, column)
              .problem(
                  "TOML syntax error: " + firstLine(e.getOriginalMessage()),
                  "see https://toml.io for the syntax"));
      return Optional.empty();
    }
    if (root == null) {
      return Optional.empty();
    }
    JsonNode project = root.path("project");
    JsonNode poetryDeps = root.path("tool").path("poetry").path("dependencies");
    Optional<PythonRequest> requiresPython = Optional.empty();
    JsonNode rp = project.path("requires-python");
    if (rp.isTextual()) {
      Origin at = lineOf(source, "requires-python");
      requiresPython = PythonRequest.specifier(rp.asText(), at);
      if (requiresPython.isEmpty()) {
        errors.add(
            at.problem(
                "requires-python = \"" + rp.asText() + "\" is not a version specifier Pylon reads",
                "write it like \">=3.11\" or \">=3.10,<3.14\""));
      }
    }
    if (project.path("dependencies").isArray()) {
      Set<String> names = new LinkedHashSet<>();
      List<String> reqs = new ArrayList<>();
      for (JsonNode d : project.path("dependencies")) {
        reqs.add(d.asText());
        requirementName(d.asText()).ifPresent(n -> names.add(Dependencies.normalize(n)));
      }
      return Optional.of(
          new Pyproject(
              Dependencies.Kind.PYPROJECT,
              "[project].dependencies",
              names,
              reqs,
              requiresPython,
              lineOf(source, "dependencies"),
              true));
    }
    if (poetryDeps.isObject()) {
      Set<String> names = new LinkedHashSet<>();
      List<String> reqs = new ArrayList<>();
      Optional<PythonRequest> poetryPython = requiresPython;
      for (var it = poetryDeps.properties().iterator(); it.hasNext(); ) {
        var e = it.next();
        String spec =
            e.getValue().isTextual()
                ? e.getValue().asText()
                : e.getValue().path("version").asText("");
        if (e.getKey().equalsIgnoreCase("python")) {
          if (poetryPython.isEmpty()) {
            poetryPython = PythonRequest.specifier(poetrySpecifier(spec), lineOf(source, "python"));
          }
          continue;
        }
        names.add(Dependencies.normalize(e.getKey()));
        String pep508 = poetrySpecifier(spec);
        List<String> extras = new ArrayList<>();
        e.getValue().path("extras").forEach(x -> extras.add(x.asText()));
        String name = e.getKey() + (extras.isEmpty() ? "" : "[" + String.join(",", extras) + "]");
        if (e.getValue().has("git") || e.getValue().has("path") || e.getValue().has("url")) {
          // Poetry installs these from their source; pip needs name @ URL.
          String from =
              e.getValue().has("git")
                  ? "git+" + e.getValue().path("git").asText()
                  : e.getValue().has("url")
                      ? e.getValue().path("url").asText()
                      : file.getParent()
                          .resolve(e.getValue().path("path").asText())
                          .toUri()
                          .toString();
          reqs.add(name + " @ " + from);
        } else {
          reqs.add(name + (pep508.isEmpty() ? "" : " " + pep508));
        }
      }
      return Optional.of(
          new Pyproject(
              Dependencies.Kind.POETRY,
              "[tool.poetry.dependencies]",
              names,
              reqs,
              poetryPython,
              lineOf(source, "[tool.poetry.dependencies]"),
              !names.isEmpty()));
    }
    return Optional.of(
        new Pyproject(
            Dependencies.Kind.PYPROJECT,
            "[project]",
            Set.of(),
            List.of(),
            requiresPython,
            Origin.ofFile(file),
            false));
  }

  /** Poetry's {@code ^1.2} and {@code ~1.2} as PEP 440. */
  static String poetrySpecifier(String spec) {
    String s = spec.strip();
    if (s.isEmpty() || s.equals("*")) {
      return "";
    }
    if (s.startsWith("^") || s.startsWith("~") && !s.startsWith("~=")) {
      boolean caret = s.startsWith("^");
      String v = s.substring(1).strip();
      Optional<PythonVersion> pv = PythonVersion.parse(v);
      if (pv.isEmpty()) {
        return s;
      }
      List<Integer> p = pv.get().parts();
      List<Integer> upper = new ArrayList<>();
      if (caret) {
        int firstNonZero = 0;
        while (firstNonZero < p.size() - 1 && p.get(firstNonZero) == 0) {
          firstNonZero++;
        }
        for (int i = 0; i < firstNonZero; i++) {
          upper.add(0);
        }
        upper.add(p.get(firstNonZero) + 1);
      } else {
        upper.add(p.get(0));
        if (p.size() > 1) {
          upper.add(p.get(1) + 1);
        } else {
          upper.set(0, p.get(0) + 1);
        }
      }
      return ">=" + v + ",<" + new PythonVersion(upper);
    }
    if (Character.isDigit(s.charAt(0))) {
      return "==" + s;
    }
    return s;
  }

  private static Origin lineOf(SourceText source, String key) {
    List<String> lines = source.lines();
    for (int i = 0; i < lines.size(); i++) {
      String stripped = lines.get(i).strip();
      if (stripped.startsWith(key)) {
        return source.at(i + 1, lines.get(i).indexOf(key) + 1);
      }
    }
    return source.whole();
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "cannot parse";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
