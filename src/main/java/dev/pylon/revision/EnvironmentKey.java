package dev.pylon.revision;

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
 * <p>Local packages named by path are covered by their content (see {@link #addLocalPackages}). Not
 * covered: what an unpinned requirement resolves to on an index today. Pin versions, or change the
 * file, to get a new environment.
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
        addFile(digest, request.appDir(), file.getFileName().toString(), file, visited);
      } else {
        String text = source.generated().orElse("");
        field(digest, "generated");
        field(digest, Path.of(source.name()).getFileName().toString());
        field(digest, text);
        addLocalPackages(digest, request.appDir(), text);
      }
    }
    return HexFormat.of().formatHex(digest.digest()).substring(0, KEY_HEX_CHARS);
  }

  private static void addFile(
      MessageDigest digest, Path appDir, String name, Path file, Set<Path> visited)
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
      String text = new String(content, StandardCharsets.UTF_8);
      for (String include : includes(text)) {
        addFile(digest, appDir, include, real.getParent().resolve(include), visited);
      }
      addLocalPackages(digest, appDir, text);
    }
  }

  /**
   * Local packages a requirements text installs ({@code ./libs/mylib}, {@code -e ../shared}, {@code
   * file:///wheels/x.whl}, {@code name @ file:...}) are part of the key by their content, so
   * changing one rebuilds the environment instead of reusing a stale one. pip resolves such paths
   * against its working directory, the app folder.
   */
  private static void addLocalPackages(MessageDigest digest, Path appDir, String text)
      throws IOException {
    for (LocalPackage local : localPackages(text)) {
      Path target = appDir.resolve(local.location()).normalize();
      field(digest, local.editable() ? "editable" : "local");
      field(digest, local.location());
      if (Files.isDirectory(target) && local.editable()) {
        // An editable install runs the folder's code where it is; only its packaging
        // metadata is copied into the environment.
        for (String metadata : List.of("pyproject.toml", "setup.py", "setup.cfg")) {
          Path file = target.resolve(metadata);
          field(
              digest,
              Files.isRegularFile(file)
                  ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8)
                  : "-");
        }
      } else if (Files.isDirectory(target)) {
        field(digest, SourceFiles.of(target).contentHash(List.of()));
      } else if (Files.isRegularFile(target)) {
        field(digest, Long.toString(Files.size(target)));
        digest.update(Files.readAllBytes(target));
      } else {
        field(digest, "missing");
      }
    }
  }

  /** A requirement that installs from a local path, as written (a file: URL as a path). */
  record LocalPackage(String location, boolean editable) {}

  /** The local paths among a requirements text's requirements. */
  static List<LocalPackage> localPackages(String requirementsText) {
    List<LocalPackage> found = new ArrayList<>();
    for (String line : logicalLines(requirementsText)) {
      String requirement = line.trim();
      boolean editable = false;
      for (String option : List.of("-e ", "--editable ", "--editable=", "-e")) {
        if (requirement.startsWith(option)) {
          requirement = requirement.substring(option.length()).trim();
          editable = true;
          break;
        }
      }
      int at = requirement.indexOf(" @ ");
      if (at > 0) {
        requirement = requirement.substring(at + 3).trim();
      }
      String location = requirement.split("\\s+;|;\\s|\\s", 2)[0];
      if (location.startsWith("file:")) {
        location = location.replaceFirst("^file:(//)?", "");
        int fragment = location.indexOf('#');
        if (fragment >= 0) {
          location = location.substring(0, fragment);
        }
      }
      if (location.equals(".")
          || location.startsWith("./")
          || location.startsWith("../")
          || location.startsWith("/")) {
        found.add(new LocalPackage(location, editable));
      }
    }
    return found;
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
