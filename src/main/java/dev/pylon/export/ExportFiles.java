package dev.pylon.export;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Writes an {@link ExportResult} into a folder, keeping files the user already has. */
public final class ExportFiles {
  private ExportFiles() {}

  /**
   * What {@link #write} did.
   *
   * @param written files created or replaced, as paths under the folder
   * @param kept files that existed and were left alone (pass {@code force} to replace them)
   */
  public record Written(List<Path> written, List<Path> kept) {
    public Written {
      written = List.copyOf(written);
      kept = List.copyOf(kept);
    }
  }

  /**
   * Writes each file of {@code result} into {@code dir} (created if missing). A file that exists is
   * kept unless {@code force}. Each file is written to a temporary sibling and moved into place, so
   * a reader never sees half a file.
   */
  public static Written write(Path dir, ExportResult result, boolean force) throws IOException {
    Files.createDirectories(dir);
    List<Path> written = new ArrayList<>();
    List<Path> kept = new ArrayList<>();
    for (Map.Entry<String, String> file : result.files().entrySet()) {
      Path target = dir.resolve(file.getKey()).normalize();
      if (!target.startsWith(dir.normalize())) {
        throw new IllegalArgumentException("export file name leaves the folder: " + file.getKey());
      }
      if (Files.exists(target) && !force) {
        kept.add(target);
        continue;
      }
      Path parent = target.getParent();
      Files.createDirectories(parent);
      Path temp = Files.createTempFile(parent, ".pylon-export-", ".tmp");
      try {
        Files.writeString(temp, file.getValue(), StandardCharsets.UTF_8);
        // Readable by all, as an editor writes a source file: a temporary file is made 0600,
        // and a Dockerfile's COPY keeps the mode, so the image's non-root user could not read
        // pylon_worker.py.
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));
        try {
          Files.move(
              temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(temp);
      }
      written.add(target);
    }
    return new Written(written, kept);
  }
}
