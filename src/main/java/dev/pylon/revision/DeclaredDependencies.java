package dev.pylon.revision;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The names of the packages an app declares, for decisions such as "the dependencies include
 * gunicorn, so serve with gunicorn". Names are normalised as PEP 503 says ({@code Flask_Login} is
 * {@code flask-login}); {@code -r} includes are followed, {@code -c} constraints are not
 * requirements and are not. Only what is declared counts, not what pip pulls in with it.
 */
public final class DeclaredDependencies {
  private static final Pattern NAME = Pattern.compile("^([A-Za-z0-9][A-Za-z0-9._-]*)");
  private static final Pattern EGG = Pattern.compile("#egg=([A-Za-z0-9][A-Za-z0-9._-]*)");

  private DeclaredDependencies() {}

  /**
   * The declared package names in {@code dependencyFiles} (relative to {@code appDir}); a file that
   * cannot be read or parsed adds nothing (the build reports it).
   */
  public static Set<String> of(Path appDir, List<Path> dependencyFiles) throws IOException {
    Set<String> names = new TreeSet<>();
    List<RequirementSources.Source> sources;
    try {
      sources = RequirementSources.of(appDir.toAbsolutePath(), dependencyFiles);
    } catch (DependencyFileException e) {
      return names;
    }
    Set<Path> visited = new HashSet<>();
    for (RequirementSources.Source source : sources) {
      if (source.file().isPresent()) {
        fromFile(source.file().get(), names, visited);
      } else {
        fromText(source.generated().orElse(""), Optional.empty(), names, visited);
      }
    }
    return names;
  }

  private static void fromFile(Path file, Set<String> names, Set<Path> visited) throws IOException {
    if (!Files.isRegularFile(file) || !visited.add(file.toRealPath())) {
      return;
    }
    fromText(Files.readString(file, StandardCharsets.UTF_8), Optional.of(file), names, visited);
  }

  private static void fromText(
      String text, Optional<Path> file, Set<String> names, Set<Path> visited) throws IOException {
    List<String> includes = EnvironmentKey.requirementIncludes(text);
    if (file.isPresent()) {
      for (String include : includes) {
        if (!include.contains("://")) {
          fromFile(file.get().getParent().resolve(include), names, visited);
        }
      }
    }
    for (String line : EnvironmentKey.logicalLines(text)) {
      String trimmed = line.trim();
      if (trimmed.startsWith("-")) {
        Matcher egg = EGG.matcher(trimmed);
        if ((trimmed.startsWith("-e") || trimmed.startsWith("--editable")) && egg.find()) {
          names.add(RequirementSources.normalize(egg.group(1)));
        }
        continue;
      }
      boolean pathOrUrl =
          trimmed.startsWith(".")
              || trimmed.startsWith("/")
              || (trimmed.contains("://") && !trimmed.contains(" @ "));
      if (pathOrUrl) {
        Matcher egg = EGG.matcher(trimmed);
        if (egg.find()) {
          names.add(RequirementSources.normalize(egg.group(1)));
        }
        continue;
      }
      Matcher name = NAME.matcher(trimmed);
      if (name.find()) {
        names.add(RequirementSources.normalize(name.group(1)));
      }
    }
  }
}
