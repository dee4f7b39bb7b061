package dev.pylon.revision;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns an app's dependency files into what pip installs: each a requirements file, as is or
 * generated.
 *
 * <ul>
 *   <li>a requirements file ({@code requirements.txt}, any name but the two below) is installed as
 *       is, with {@code -r}, its includes relative to itself;
 *   <li>{@code pyproject.toml} with a {@code [project]} table (PEP 621): its {@code dependencies}
 *       list;
 *   <li>{@code pyproject.toml} of a Poetry project with {@code poetry.lock} beside it: the lock's
 *       packages that the main group needs, pinned ({@code name==version}, with their markers), the
 *       equivalent of {@code poetry export}; without a lock, {@code [tool.poetry.dependencies]}
 *       with Poetry's {@code ^}/{@code ~} turned into PEP 440.
 * </ul>
 *
 * Only the dependencies are installed, never the project itself, so a code change does not touch
 * the environment (the project's code is in the revision's snapshot, on the path as the working
 * directory). The generated text, not the raw pyproject.toml, goes into the cache key: editing the
 * version or a {@code [tool.black]} setting keeps the environment.
 */
final class RequirementSources {

  /**
   * What pip installs from one dependency file.
   *
   * @param name the file it comes from, for messages
   * @param file the requirements file to pass to {@code -r}, when it is one
   * @param generated the requirements text Pylon derived, when the file is a pyproject.toml
   */
  record Source(String name, Optional<Path> file, Optional<String> generated) {}

  private static final TomlMapper TOML = new TomlMapper();

  private RequirementSources() {}

  static List<Source> of(Path appDir, List<Path> dependencyFiles)
      throws IOException, DependencyFileException {
    List<Source> sources = new ArrayList<>();
    boolean lockGiven =
        dependencyFiles.stream().anyMatch(f -> f.getFileName().toString().equals("poetry.lock"));
    for (Path file : dependencyFiles) {
      Path resolved = appDir.resolve(file);
      String name = file.getFileName().toString();
      switch (name) {
        case "poetry.lock" -> {
          if (dependencyFiles.stream()
              .noneMatch(f -> f.getFileName().toString().equals("pyproject.toml"))) {
            throw new DependencyFileException(
                file + " was given without the pyproject.toml it belongs to; give both.");
          }
        }
        case "pyproject.toml" ->
            sources.add(
                new Source(
                    file.toString(),
                    Optional.empty(),
                    Optional.of(fromPyproject(resolved, lockGiven || hasLock(resolved)))));
        default ->
            sources.add(new Source(file.toString(), Optional.of(resolved), Optional.empty()));
      }
    }
    return sources;
  }

  private static boolean hasLock(Path pyproject) {
    return Files.isRegularFile(pyproject.resolveSibling("poetry.lock"));
  }

  private static String fromPyproject(Path pyproject, boolean useLock)
      throws IOException, DependencyFileException {
    JsonNode root;
    try {
      root = TOML.readTree(pyproject.toFile());
    } catch (IOException e) {
      throw new DependencyFileException(
          pyproject + " is not valid TOML (" + e.getMessage().lines().findFirst().orElse("") + ")");
    }
    JsonNode poetry = root.path("tool").path("poetry");
    boolean isPoetry = !poetry.isMissingNode();
    if (isPoetry && useLock) {
      return fromPoetryLock(root, pyproject.resolveSibling("poetry.lock"));
    }
    JsonNode project = root.path("project");
    if (project.has("dependencies")) {
      return lines(pep621(project));
    }
    if (isPoetry) {
      return lines(poetryDependencies(poetry.path("dependencies")));
    }
    if (project.isObject()) {
      return "";
    }
    throw new DependencyFileException(
        pyproject
            + " has neither a [project] table (PEP 621) nor [tool.poetry]; list the"
            + " dependencies in [project] dependencies = [...], or use requirements.txt.");
  }

  private static List<String> pep621(JsonNode project) {
    List<String> requirements = new ArrayList<>();
    project.path("dependencies").forEach(node -> requirements.add(node.asText().trim()));
    return requirements;
  }

  /** Main dependencies of a Poetry project without a lock. */
  private static List<String> poetryDependencies(JsonNode dependencies) {
    List<String> requirements = new ArrayList<>();
    for (Map.Entry<String, JsonNode> dependency : dependencies.properties()) {
      if (dependency.getKey().equalsIgnoreCase("python")) {
        continue;
      }
      JsonNode spec = dependency.getValue();
      if (spec.isArray()) {
        spec.forEach(
            alternative -> requirements.add(poetryRequirement(dependency.getKey(), alternative)));
      } else {
        requirements.add(poetryRequirement(dependency.getKey(), spec));
      }
    }
    return requirements;
  }

  private static String poetryRequirement(String name, JsonNode spec) {
    if (spec.isTextual()) {
      return name + PoetryConstraints.toPep440(spec.asText());
    }
    StringBuilder line = new StringBuilder(name);
    if (spec.has("extras")) {
      List<String> extras = new ArrayList<>();
      spec.path("extras").forEach(extra -> extras.add(extra.asText()));
      line.append('[').append(String.join(",", extras)).append(']');
    }
    if (spec.has("git")) {
      String ref = spec.path("rev").asText(spec.path("tag").asText(spec.path("branch").asText("")));
      line.append(" @ git+").append(spec.path("git").asText());
      if (!ref.isEmpty()) {
        line.append('@').append(ref);
      }
    } else if (spec.has("path")) {
      return spec.path("path").asText().startsWith(".")
          ? spec.path("path").asText()
          : "./" + spec.path("path").asText();
    } else if (spec.has("url")) {
      line.append(" @ ").append(spec.path("url").asText());
    } else {
      line.append(PoetryConstraints.toPep440(spec.path("version").asText("*")));
    }
    if (spec.has("markers")) {
      line.append(" ; ").append(spec.path("markers").asText());
    }
    return line.toString();
  }

  /** The equivalent of {@code poetry export} for the main group. */
  private static String fromPoetryLock(JsonNode pyproject, Path lockFile)
      throws IOException, DependencyFileException {
    if (!Files.isRegularFile(lockFile)) {
      throw new DependencyFileException(
          lockFile + " does not exist; run `poetry lock` or leave it out of the dependency files.");
    }
    JsonNode lock = TOML.readTree(lockFile.toFile());
    Map<String, JsonNode> packages = new HashMap<>();
    lock.path("package").forEach(pkg -> packages.put(normalize(pkg.path("name").asText()), pkg));
    Set<String> main = mainPackages(pyproject, packages);
    List<String> requirements = new ArrayList<>();
    for (String name : main.stream().sorted().toList()) {
      JsonNode pkg = packages.get(name);
      if (pkg == null) {
        continue;
      }
      requirements.add(lockedRequirement(pkg));
    }
    return lines(requirements);
  }

  private static Set<String> mainPackages(JsonNode pyproject, Map<String, JsonNode> packages) {
    Set<String> main = new LinkedHashSet<>();
    boolean categorized = false;
    for (JsonNode pkg : packages.values()) {
      if (pkg.has("category") || pkg.has("groups")) {
        categorized = true;
        boolean inMain =
            pkg.path("category").asText("").equals("main")
                || containsText(pkg.path("groups"), "main");
        if (inMain && !pkg.path("optional").asBoolean(false)) {
          main.add(normalize(pkg.path("name").asText()));
        }
      }
    }
    if (categorized) {
      return main;
    }
    // A lock without categories (Poetry 1.5 to 1.8): walk from the main dependencies.
    Deque<String> pending = new ArrayDeque<>();
    pyproject
        .path("tool")
        .path("poetry")
        .path("dependencies")
        .properties()
        .forEach(dependency -> pending.add(normalize(dependency.getKey())));
    pyproject
        .path("project")
        .path("dependencies")
        .forEach(node -> pending.add(normalize(node.asText().split("[\\s\\[<>=!~;@(]", 2)[0])));
    pending.remove("python");
    while (!pending.isEmpty()) {
      String name = pending.removeFirst();
      JsonNode pkg = packages.get(name);
      if (pkg == null || !main.add(name)) {
        continue;
      }
      for (Map.Entry<String, JsonNode> dependency : pkg.path("dependencies").properties()) {
        if (!dependency.getValue().path("optional").asBoolean(false)) {
          pending.add(normalize(dependency.getKey()));
        }
      }
    }
    return main;
  }

  private static String lockedRequirement(JsonNode pkg) {
    String name = pkg.path("name").asText();
    JsonNode source = pkg.path("source");
    String type = source.path("type").asText("");
    String line =
        switch (type) {
          case "git" ->
              name
                  + " @ git+"
                  + source.path("url").asText()
                  + "@"
                  + source.path("resolved_reference").asText(source.path("reference").asText());
          case "directory", "file" -> source.path("url").asText();
          case "url" -> name + " @ " + source.path("url").asText();
          default -> name + "==" + pkg.path("version").asText();
        };
    JsonNode markers = pkg.path("markers");
    if (markers.isTextual() && !markers.asText().isBlank()) {
      line += " ; " + markers.asText();
    } else if (markers.isObject() && markers.has("main")) {
      line += " ; " + markers.path("main").asText();
    }
    return line;
  }

  private static boolean containsText(JsonNode array, String value) {
    for (JsonNode node : array) {
      if (node.asText().equals(value)) {
        return true;
      }
    }
    return false;
  }

  /** PEP 503 name normalisation: case and runs of -_. do not matter. */
  static String normalize(String name) {
    return name.trim().toLowerCase(Locale.ROOT).replaceAll("[-_.]+", "-");
  }

  private static String lines(List<String> requirements) {
    StringBuilder text = new StringBuilder();
    for (String requirement : requirements) {
      if (!requirement.isBlank()) {
        text.append(requirement).append('\n');
      }
    }
    return text.toString();
  }
}
