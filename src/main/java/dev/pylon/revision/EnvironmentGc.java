package dev.pylon.revision;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code pylon gc} for the virtualenv cache: {@link #choose} decides (a pure function, easy to test
 * and to show as a dry run), {@link #collect} deletes.
 */
public final class EnvironmentGc {
  private static final Logger log = LoggerFactory.getLogger(EnvironmentGc.class);

  private final Path envsDir;

  public EnvironmentGc(Path stateDir) {
    this.envsDir = stateDir.toAbsolutePath().normalize().resolve("envs");
  }

  /** The entries to delete; see {@link GcPolicy#choose}. */
  public static List<CacheEntry> choose(
      List<CacheEntry> entries, Set<Path> inUse, Instant now, GcPolicy policy) {
    return policy.choose(entries, inUse, now);
  }

  /** The entries in the cache now. */
  public List<CacheEntry> list() throws IOException {
    if (!Files.isDirectory(envsDir)) {
      return List.of();
    }
    List<CacheEntry> entries = new ArrayList<>();
    try (Stream<Path> children = Files.list(envsDir)) {
      for (Path dir : children.filter(Files::isDirectory).sorted().toList()) {
        Path marker = dir.resolve(EnvironmentBuilder.COMPLETE_MARKER);
        boolean complete = Files.isRegularFile(marker);
        Instant lastUsed = Files.getLastModifiedTime(complete ? marker : dir).toInstant();
        entries.add(
            new CacheEntry(
                dir.getFileName().toString(), dir, complete, lastUsed, FileTrees.sizeOf(dir)));
      }
    }
    return entries;
  }

  /** Deletes what {@link #choose} picks; entries whose lock a build holds are left alone. */
  public GcReport collect(Set<Path> inUse, GcPolicy policy, Instant now) throws IOException {
    List<CacheEntry> entries = list();
    List<CacheEntry> chosen = choose(entries, inUse, now, policy);
    List<CacheEntry> deleted = new ArrayList<>();
    List<CacheEntry> busy = new ArrayList<>();
    for (CacheEntry entry : chosen) {
      if (deleteUnlessLocked(entry)) {
        deleted.add(entry);
      } else {
        busy.add(entry);
      }
    }
    List<CacheEntry> kept = entries.stream().filter(entry -> !deleted.contains(entry)).toList();
    return new GcReport(deleted, busy, kept);
  }

  private boolean deleteUnlessLocked(CacheEntry entry) throws IOException {
    Path lockFile = envsDir.resolve(entry.key() + ".lock");
    try (FileChannel channel =
        FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException heldInThisJvm) {
        lock = null;
      }
      if (lock == null) {
        log.info("gc: {} is being built; left alone", entry.dir());
        return false;
      }
      try {
        // The marker goes first: from then on no build trusts the entry, even half deleted.
        Files.deleteIfExists(entry.dir().resolve(EnvironmentBuilder.COMPLETE_MARKER));
        FileTrees.deleteRecursively(entry.dir());
        log.info("gc: deleted {} ({} bytes)", entry.dir(), entry.bytes());
        return true;
      } finally {
        lock.release();
      }
    }
  }
}
