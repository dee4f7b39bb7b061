package dev.pylon.revision;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/** The files of an app folder that belong in a revision, and their content hash. */
final class SourceFiles {

  /**
   * One entry of the snapshot.
   *
   * @param relativePath '/'-separated, relative to the app folder
   * @param source where it is now
   * @param linkTarget for a symbolic link that does not lead to a regular file (a folder, or
   *     nothing): the link's text, recreated as is; empty for regular files (links to regular files
   *     are copied as files, so the snapshot does not change when their target does)
   */
  record Entry(String relativePath, Path source, Optional<Path> linkTarget, boolean executable) {}

  private final List<Entry> entries;
  private final Optional<String> ignoreFile;

  private SourceFiles(List<Entry> entries, Optional<String> ignoreFile) {
    this.entries = List.copyOf(entries);
    this.ignoreFile = ignoreFile;
  }

  /** Walks {@code dir} top-down, leaving out what its {@link IgnoreRules} exclude. */
  static SourceFiles of(Path dir) throws IOException {
    return of(dir, dir.resolve(".pylon-no-state-here"));
  }

  /**
   * Walks {@code appDir} top-down, leaving out what its {@link IgnoreRules} exclude and the folder
   * {@code stateDir} (Pylon's own state, when someone keeps it inside the app: otherwise each
   * snapshot would contain the previous ones).
   */
  static SourceFiles of(Path appDir, Path stateDir) throws IOException {
    IgnoreRules rules = IgnoreRules.of(appDir);
    Path root = appDir.toAbsolutePath().normalize();
    Path state = stateDir.toAbsolutePath().normalize();
    List<Entry> entries = new ArrayList<>();
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
            if (dir.equals(root)) {
              return FileVisitResult.CONTINUE;
            }
            String relative = relative(root, dir);
            if (dir.equals(state) || Files.isRegularFile(dir.resolve("pyvenv.cfg"))) {
              return FileVisitResult.SKIP_SUBTREE;
            }
            if (rules.excludes(relative, true) && !rules.mayReincludeUnder(relative)) {
              return FileVisitResult.SKIP_SUBTREE;
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            String relative = relative(root, file);
            boolean leadsToDirectory = attrs.isSymbolicLink() && Files.isDirectory(file);
            if (rules.excludes(relative, leadsToDirectory)) {
              return FileVisitResult.CONTINUE;
            }
            if (attrs.isSymbolicLink() && !Files.isRegularFile(file)) {
              entries.add(
                  new Entry(relative, file, Optional.of(Files.readSymbolicLink(file)), false));
            } else if (attrs.isRegularFile() || attrs.isSymbolicLink()) {
              entries.add(new Entry(relative, file, Optional.empty(), Files.isExecutable(file)));
            }
            return FileVisitResult.CONTINUE;
          }
        });
    entries.sort(Comparator.comparing(Entry::relativePath));
    return new SourceFiles(entries, rules.source());
  }

  private static String relative(Path root, Path path) {
    return root.relativize(path).toString().replace('\\', '/');
  }

  List<Entry> entries() {
    return entries;
  }

  Optional<String> ignoreFile() {
    return ignoreFile;
  }

  /** Total bytes of the regular files. */
  long bytes() throws IOException {
    long total = 0;
    for (Entry entry : entries) {
      if (entry.linkTarget().isEmpty()) {
        total += Files.size(entry.source());
      }
    }
    return total;
  }

  /** A hash of every entry's path, kind, executable bit and content, plus {@code identity}. */
  String contentHash(List<String> identity) throws IOException {
    MessageDigest digest = sha256();
    for (String part : identity) {
      field(digest, "identity");
      field(digest, part);
    }
    byte[] buffer = new byte[64 * 1024];
    for (Entry entry : entries) {
      field(digest, entry.relativePath());
      if (entry.linkTarget().isPresent()) {
        field(digest, "link");
        field(digest, entry.linkTarget().get().toString());
        continue;
      }
      field(digest, entry.executable() ? "exec" : "file");
      field(digest, Long.toString(Files.size(entry.source())));
      try (InputStream in = Files.newInputStream(entry.source())) {
        int read;
        while ((read = in.read(buffer)) > 0) {
          digest.update(buffer, 0, read);
        }
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** Copies every entry under {@code target}, keeping modification times and modes. */
  void copyTo(Path target) throws IOException {
    for (Entry entry : entries) {
      Path to = target.resolve(entry.relativePath());
      Files.createDirectories(to.getParent());
      if (entry.linkTarget().isPresent()) {
        Files.createSymbolicLink(to, entry.linkTarget().get());
      } else {
        // Follows a link to a regular file: the snapshot holds the content, not the link.
        Files.copy(entry.source(), to, StandardCopyOption.COPY_ATTRIBUTES);
      }
    }
    Files.createDirectories(target);
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
