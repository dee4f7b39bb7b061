package dev.pylon.revision;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/** Whole-folder operations the build needs: delete, measure, make read-only. */
final class FileTrees {
  private FileTrees() {}

  /**
   * Deletes {@code root} and everything under it, without following symbolic links; read-only
   * folders (a finished revision) are made writable first. A missing root is not an error.
   */
  static void deleteRecursively(Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
              throws IOException {
            makeOwnerWritable(dir);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.deleteIfExists(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            if (e instanceof NoSuchFileException) {
              return FileVisitResult.CONTINUE;
            }
            throw e;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
            if (e != null && !(e instanceof NoSuchFileException)) {
              throw e;
            }
            Files.deleteIfExists(dir);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  /** Total size in bytes of the regular files under {@code root}, not following links. */
  static long sizeOf(Path root) throws IOException {
    if (!Files.exists(root)) {
      return 0;
    }
    AtomicLong total = new AtomicLong();
    try (Stream<Path> paths = Files.walk(root)) {
      paths.forEach(
          path -> {
            try {
              BasicFileAttributes attrs =
                  Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
              if (attrs.isRegularFile()) {
                total.addAndGet(attrs.size());
              }
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return total.get();
  }

  /** Removes write permission from every file and folder under {@code root} (links untouched). */
  static void makeReadOnly(Path root) throws IOException {
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            if (attrs.isRegularFile()) {
              removeWrite(file);
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
            if (e != null) {
              throw e;
            }
            removeWrite(dir);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  private static void removeWrite(Path path) throws IOException {
    Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
    perms.addAll(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
    perms.remove(PosixFilePermission.OWNER_WRITE);
    perms.remove(PosixFilePermission.GROUP_WRITE);
    perms.remove(PosixFilePermission.OTHERS_WRITE);
    Files.setPosixFilePermissions(path, perms);
  }

  private static void makeOwnerWritable(Path dir) throws IOException {
    Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
    perms.addAll(Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS));
    if (perms.add(PosixFilePermission.OWNER_WRITE)) {
      Files.setPosixFilePermissions(dir, perms);
    }
  }
}
