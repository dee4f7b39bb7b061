package dev.pylon.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * The folders of a state directory that running processes use: an instance's working directory is
 * its revision's snapshot, and its {@code VIRTUAL_ENV} its environment. {@code pylon gc} keeps
 * these, whichever Pylon started them.
 */
public final class ProcessesUsingState {
  private ProcessesUsingState() {}

  /** Every folder directly below {@code stateDir}'s subfolders that a live process uses. */
  public static Set<Path> scan(Path stateDir) {
    Path root = stateDir.toAbsolutePath().normalize();
    Set<Path> used = new HashSet<>();
    try (DirectoryStream<Path> processes = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path process : processes) {
        workingDirectory(process).filter(dir -> dir.startsWith(root)).ifPresent(used::add);
        virtualEnv(process).filter(dir -> dir.startsWith(root)).ifPresent(used::add);
      }
    } catch (IOException e) {
      // No /proc: nothing can be known to be in use, and callers keep what is recent.
    }
    return Set.copyOf(used);
  }

  private static Optional<Path> workingDirectory(Path process) {
    try {
      return Optional.of(Files.readSymbolicLink(process.resolve("cwd")).normalize());
    } catch (IOException | SecurityException | UnsupportedOperationException e) {
      return Optional.empty();
    }
  }

  private static Optional<Path> virtualEnv(Path process) {
    try {
      String environ =
          new String(Files.readAllBytes(process.resolve("environ")), StandardCharsets.UTF_8);
      for (String entry : environ.split("\0")) {
        if (entry.startsWith("VIRTUAL_ENV=")) {
          return Optional.of(Path.of(entry.substring("VIRTUAL_ENV=".length())).normalize());
        }
      }
    } catch (IOException | SecurityException | InvalidPathException e) {
      // The process ended, or is not ours to read.
    }
    return Optional.empty();
  }
}
