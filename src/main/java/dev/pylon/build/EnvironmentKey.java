package dev.pylon.build;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The cache key of a virtualenv: a hash of everything that decides what pip installs.
 *
 * <p>That is the interpreter (path and version), the system-site-packages flag, and the
 * <em>content</em> of the dependency files, including files they pull in with {@code -r} and {@code
 * -c} (resolved relative to the including file, as pip does). The app's own folder is not part of
 * it, so two apps with the same requirements share one virtualenv, and a code-only change never
 * rebuilds it: the layer-caching idea of a Dockerfile that copies requirements.txt before the code,
 * without Docker.
 *
 * <p>Not covered: what a requirement points at outside the files (a local {@code ./pkg} folder, an
 * unpinned version on an index). Pin versions, or change the file, to get a new environment.
 */
public final class EnvironmentKey {
  /** Bumped when the layout of an environment changes, so old entries are not trusted. */
  private static final String FORMAT = "pylon-env-1";

  private static final int KEY_HEX_CHARS = 24;

  private EnvironmentKey() {}

  /** The key of {@code request}, as lowercase hex safe for a folder name. */
  public static String of(EnvironmentRequest request) throws IOException {
    MessageDigest digest = sha256();
    field(digest, FORMAT);
    field(digest, request.interpreter().toAbsolutePath().normalize().toString());
    field(digest, request.interpreterVersion());
    field(digest, request.systemSitePackages() ? "system-site-packages" : "isolated");
    Set<Path> visited = new HashSet<>();
    List<RequirementSources.Source> sources;
    try {
      sources = RequirementSources.of(request.appDir(), request.dependencyFiles());
    } catch (DependencyFileException unreadable) {
      // The build reports the problem; the key only needs to change when the files do.
      sources = new ArrayList<>();
      for (Path file : request.dependencyFiles()) {
        Path resolved = request.appDir().resolve(file);
        sources.add(
            new RequirementSources.Source(
                file.toString(), Optional.of(resolved), Optional.empty()));
      }
    }
    for (RequirementSources.Source source : sources) {
      if (source.file().isPresent()) {
        Path file = source.file().get();
        addFile(digest, file.getFileName().toString(), file, visited);
      } else {
        field(digest, "generated");
        field(digest, Path.of(source.name()).getFileName().toString());
        field(digest, source.generated().orElse(""));
      }
    }
    return HexFormat.of().formatHex(digest.digest()).substring(0, KEY_HEX_CHARS);
  }

  private static void addFile(MessageDigest digest, String name, Path file, Set<Path> visited)
      throws IOException {
    field(digest, "file");
    field(digest, name);
    if (!Files.isRegularFile(file)) {
      field(digest, "missing");
      return;
    }
    Path real = file.toRealPath();
    if (!visited.add(real)) {
      field(digest, "seen");
      return;
    }
    byte[] content = Files.readAllBytes(real);
    field(digest, Integer.toString(content.length));
    digest.update(content);
    if (isRequirementsFile(real)) {
      for (String include : includes(new String(content, StandardCharsets.UTF_8))) {
        addFile(digest, include, real.getParent().resolve(include), visited);
      }
    }
  }

  private static boolean isRequirementsFile(Path file) {
    String name = file.getFileName().toString();
    return !name.equals("pyproject.toml") && !name.equals("poetry.lock");
  }

  /**
   * The files a requirements text pulls in with {@code -r}/{@code --requirement} and {@code
   * -c}/{@code --constraint}, in order. URLs are left out: their text is already in the hash.
   */
  static List<String> includes(String requirementsText) {
    List<String> found = new ArrayList<>();
    for (String line : logicalLines(requirementsText)) {
      includeOf(line).filter(ref -> !ref.contains("://")).ifPresent(found::add);
    }
    return found;
  }

  private static Optional<String> includeOf(String line) {
    String[] words = line.trim().split("\\s+", 2);
    String option = words[0];
    String rest = words.length > 1 ? words[1].trim() : "";
    for (String longName : List.of("--requirement", "--constraint")) {
      if (option.equals(longName)) {
        return nonEmpty(rest);
      }
      if (option.startsWith(longName + "=")) {
        return nonEmpty(option.substring(longName.length() + 1));
      }
    }
    for (String shortName : List.of("-r", "-c")) {
      if (option.equals(shortName)) {
        return nonEmpty(rest);
      }
      if (option.startsWith(shortName)) {
        return nonEmpty(option.substring(shortName.length()));
      }
    }
    return Optional.empty();
  }

  private static Optional<String> nonEmpty(String value) {
    String trimmed = value.trim();
    if (trimmed.startsWith("=")) {
      trimmed = trimmed.substring(1).trim();
    }
    return trimmed.isEmpty() ? Optional.empty() : Optional.of(trimmed);
  }

  /** The files a requirements text pulls in with {@code -r}/{@code --requirement} only. */
  static List<String> requirementIncludes(String requirementsText) {
    List<String> found = new ArrayList<>();
    for (String line : logicalLines(requirementsText)) {
      String option = line.trim();
      if (option.startsWith("-r") || option.startsWith("--requirement")) {
        includeOf(line).ifPresent(found::add);
      }
    }
    return found;
  }

  /** Lines as pip reads them: comments removed, backslash continuations joined. */
  static List<String> logicalLines(String text) {
    List<String> lines = new ArrayList<>();
    StringBuilder pending = new StringBuilder();
    for (String raw : text.split("\\R", -1)) {
      String line = raw.replaceAll("(^|\\s+)#.*$", "");
      if (line.endsWith("\\")) {
        pending.append(line, 0, line.length() - 1);
        continue;
      }
      pending.append(line);
      if (!pending.toString().isBlank()) {
        lines.add(pending.toString());
      }
      pending.setLength(0);
    }
    if (!pending.toString().isBlank()) {
      lines.add(pending.toString());
    }
    return lines;
  }

  private static void field(MessageDigest digest, String value) {
    digest.update(value.getBytes(StandardCharsets.UTF_8));
    digest.update((byte) 0);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
