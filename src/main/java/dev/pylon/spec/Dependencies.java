package dev.pylon.spec;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Python packages an app declares, and where it declares them.
 *
 * @param kind which kind of file declares them
 * @param files the files to install from, main file first (includes and constraints after)
 * @param packages declared package names, normalized as PEP 503 says (lowercase, runs of {@code
 *     -_.} become one {@code -})
 * @param requirements the requirement strings as written (PEP 508), for installers that take them
 *     directly (pyproject and Poetry projects); empty for requirements files
 * @param decidedBy which file decided, in words
 * @param brought packages that a declared requirement installs without naming them (normalized),
 *     each with the requirement that brings it: {@code uvicorn -> fastapi[standard]}
 */
public record Dependencies(
    Kind kind,
    List<Path> files,
    List<String> packages,
    List<String> requirements,
    String decidedBy,
    Map<String, String> brought) {

  /** The kind of dependency declaration. */
  public enum Kind {
    /** Nothing to install: the app uses only the standard library. */
    NONE,
    /** {@code pip install -r requirements.txt}. */
    REQUIREMENTS,
    /** PEP 621 {@code [project].dependencies} in pyproject.toml. */
    PYPROJECT,
    /** Poetry's {@code [tool.poetry.dependencies]} in pyproject.toml. */
    POETRY
  }

  public Dependencies {
    files = List.copyOf(files);
    packages = List.copyOf(packages);
    requirements = List.copyOf(requirements);
    brought = Collections.unmodifiableMap(new LinkedHashMap<>(brought));
  }

  /** Dependencies that bring nothing beyond what they name. */
  public Dependencies(
      Kind kind,
      List<Path> files,
      List<String> packages,
      List<String> requirements,
      String decidedBy) {
    this(kind, files, packages, requirements, decidedBy, Map.of());
  }

  public static Dependencies none(String decidedBy) {
    return new Dependencies(Kind.NONE, List.of(), List.of(), List.of(), decidedBy);
  }

  /**
   * Whether the app's dependencies install the package, by name or through another requirement
   * (name compared as PEP 503 says).
   */
  public boolean declares(String packageName) {
    String name = normalize(packageName);
    return packages.contains(name) || brought.containsKey(name);
  }

  /** {@code " (fastapi[standard] brings it)"} for a package only brought, else "". */
  public String broughtBy(String packageName) {
    String name = normalize(packageName);
    return packages.contains(name) || !brought.containsKey(name)
        ? ""
        : " (" + brought.get(name) + " brings it)";
  }

  /** PEP 503 name normalization. */
  public static String normalize(String name) {
    return name.trim().toLowerCase(Locale.ROOT).replaceAll("[-_.]+", "-");
  }
}
