package dev.pylon.revision;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes immutable snapshots of app folders: {@code <state>/revisions/<service>/<revision-id>/}.
 *
 * <p>Unlike a virtualenv, a source folder can be moved, so a snapshot is made the classic atomic
 * way: copied into {@code .tmp-<id>-<random>/} beside its final place, compiled to bytecode (with
 * the final path recorded in the bytecode, for tracebacks), made read-only, then renamed into
 * place. A folder at the final path is therefore always complete; a crash leaves only a {@code
 * .tmp-} folder, which nothing trusts. Two builds racing for the same id both succeed: the loser of
 * the rename deletes its copy and uses the winner's.
 */
public final class RevisionSnapshots {
  private static final Logger log = LoggerFactory.getLogger(RevisionSnapshots.class);

  /** Bumped when what goes into a revision changes, so ids do not collide across versions. */
  private static final String FORMAT = "pylon-revision-1";

  private static final Pattern SERVICE_NAME = Pattern.compile("[a-z][a-z0-9-]{0,48}");
  private static final int ID_HEX_CHARS = 12;

  private final Path revisionsDir;
  private final BuildProgress progress;
  private final CommandRunner runner;

  public RevisionSnapshots(Path stateDir, BuildProgress progress, Map<String, String> extraEnv) {
    this.revisionsDir = stateDir.toAbsolutePath().normalize().resolve("revisions");
    this.progress = progress;
    this.runner = new CommandRunner(extraEnv, 30);
  }

  /** The folder holding the revisions of {@code service}. */
  public Path serviceDir(String service) {
    return revisionsDir.resolve(requireServiceName(service));
  }

  /**
   * Snapshots {@code appDir} as a revision of {@code service}, or finds the existing revision with
   * the same content.
   *
   * @param python the interpreter the revision runs with; compiles its bytecode
   * @param identity more inputs of the revision id besides the files, such as the environment key
   *     and the configuration, so that a change in them makes a new revision
   */
  public Snapshot take(String service, Path appDir, Path python, List<String> identity)
      throws IOException, InterruptedException {
    Path serviceDir = serviceDir(service);
    progress.step("Reading the source folder " + appDir);
    SourceFiles files = SourceFiles.of(appDir, revisionsDir.getParent());
    String hash = files.contentHash(prepend(FORMAT, identity));
    String revisionId = service + "-" + hash.substring(0, ID_HEX_CHARS);
    Path finalDir = serviceDir.resolve(revisionId);
    int count = files.entries().size();
    long bytes = files.bytes();
    if (Files.isDirectory(finalDir)) {
      progress.step("Reusing revision " + revisionId + " (same content)");
      touch(finalDir);
      return new Snapshot(service, revisionId, finalDir, true, count, bytes, files.ignoreFile());
    }
    Files.createDirectories(serviceDir);
    Path temporary = serviceDir.resolve(".tmp-" + revisionId + "-" + UUID.randomUUID());
    try {
      progress.step(
          "Copying "
              + count
              + " files into revision "
              + revisionId
              + files.ignoreFile().map(name -> " (honouring " + name + ")").orElse(""));
      files.copyTo(temporary);
      compileBytecode(python, temporary, finalDir, count);
      FileTrees.makeReadOnly(temporary);
      try {
        Files.move(temporary, finalDir, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
        log.debug("revision {} was finished by a concurrent build", revisionId);
        FileTrees.deleteRecursively(temporary);
        return new Snapshot(service, revisionId, finalDir, true, count, bytes, files.ignoreFile());
      }
    } catch (IOException | InterruptedException | RuntimeException e) {
      deleteQuietly(temporary);
      throw e;
    }
    return new Snapshot(service, revisionId, finalDir, false, count, bytes, files.ignoreFile());
  }

  /** From how many files of the app bytecode is compiled by a pool of processes. */
  static final long PARALLEL_COMPILE_FILES = 200;

  /**
   * Compiles the app's modules so instances do not pay for it at start. A file that does not
   * compile (a Python 2 script in a tools folder, say) does not fail the build: Python reports it
   * again if the app ever imports it.
   */
  private void compileBytecode(Path python, Path dir, Path finalDir, long files)
      throws IOException, InterruptedException {
    progress.step("Compiling bytecode of the app");
    CommandResult compiled =
        runner.run(
            List.of(
                python.toString(),
                "-m",
                "compileall",
                "-q",
                "-j",
                // A pool of one process per core costs half a second to start: more than
                // compiling a small app in one process takes.
                files < PARALLEL_COMPILE_FILES ? "1" : "0",
                "-d",
                finalDir.toString(),
                dir.toString()),
            // Not the app folder itself: `python -m` would put the app's modules (a json.py, an
            // email/ package) ahead of the standard library that compileall imports.
            dir.getParent(),
            Map.of(),
            progress::line);
    if (!compiled.succeeded()) {
      progress.step(
          "Some files of the app did not compile (see above); they are copied as they are");
    }
  }

  /** Records the reuse for gc, which keeps recently used revisions. */
  private static void touch(Path revision) {
    try {
      Files.setLastModifiedTime(revision, FileTime.from(Instant.now()));
    } catch (IOException e) {
      log.debug("could not record use of {}: {}", revision, e.toString());
    }
  }

  private static List<String> prepend(String first, List<String> rest) {
    return Stream.concat(Stream.of(first), rest.stream()).toList();
  }

  static String requireServiceName(String service) {
    if (!SERVICE_NAME.matcher(service).matches()) {
      throw new IllegalArgumentException(
          "service name '"
              + service
              + "' must start with a lowercase letter and hold only lowercase letters, digits"
              + " and hyphens (at most 49)");
    }
    return service;
  }

  private static void deleteQuietly(Path dir) {
    try {
      FileTrees.deleteRecursively(dir);
    } catch (IOException e) {
      log.warn("could not delete the unfinished snapshot {}: {}", dir, e.toString());
    }
  }
}
