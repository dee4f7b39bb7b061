package dev.pylon.revision;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code pylon gc} for revision snapshots: per service, the {@link GcPolicy} picks old revisions
 * that nothing uses, and {@code .tmp-} folders that interrupted builds left.
 *
 * <p>A revision is first renamed to a {@code .tmp-deleting-} name and then deleted, so a
 * half-deleted revision never sits at a revision's path. Its pre-start marker goes with it.
 */
public final class RevisionGc {
  private static final Logger log = LoggerFactory.getLogger(RevisionGc.class);

  private final Path revisionsDir;

  public RevisionGc(Path stateDir) {
    this.revisionsDir = stateDir.toAbsolutePath().normalize().resolve("revisions");
  }

  /** The revisions (and unfinished copies) of every service, grouped by service. */
  public List<List<CacheEntry>> list() throws IOException {
    if (!Files.isDirectory(revisionsDir)) {
      return List.of();
    }
    List<List<CacheEntry>> services = new ArrayList<>();
    try (Stream<Path> serviceDirs = Files.list(revisionsDir)) {
      for (Path serviceDir : serviceDirs.filter(Files::isDirectory).sorted().toList()) {
        List<CacheEntry> entries = new ArrayList<>();
        try (Stream<Path> children = Files.list(serviceDir)) {
          for (Path dir : children.filter(Files::isDirectory).sorted().toList()) {
            String name = dir.getFileName().toString();
            entries.add(
                new CacheEntry(
                    name,
                    dir,
                    !name.startsWith(".tmp-"),
                    Files.getLastModifiedTime(dir).toInstant(),
                    FileTrees.sizeOf(dir)));
          }
        }
        services.add(entries);
      }
    }
    return services;
  }

  /**
   * Deletes, per service, what {@link GcPolicy#choose} picks.
   *
   * @param inUse revision folders that may still run (the control plane's live revisions)
   */
  public GcReport collect(Set<Path> inUse, GcPolicy policy, Instant now) throws IOException {
    List<CacheEntry> deleted = new ArrayList<>();
    List<CacheEntry> kept = new ArrayList<>();
    for (List<CacheEntry> service : list()) {
      List<CacheEntry> chosen = policy.choose(service, inUse, now);
      for (CacheEntry entry : service) {
        if (chosen.contains(entry)) {
          delete(entry.dir());
          deleted.add(entry);
        } else {
          kept.add(entry);
        }
      }
    }
    return new GcReport(deleted, List.of(), kept);
  }

  private static void delete(Path revision) throws IOException {
    Path doomed = revision;
    if (!revision.getFileName().toString().startsWith(".tmp-")) {
      doomed = revision.resolveSibling(".tmp-deleting-" + UUID.randomUUID());
      Files.move(revision, doomed, StandardCopyOption.ATOMIC_MOVE);
      Files.deleteIfExists(PreStartRunner.markerOf(revision));
      Files.deleteIfExists(revision.resolveSibling(revision.getFileName() + ".pre-start.lock"));
    }
    FileTrees.deleteRecursively(doomed);
    log.info("gc: deleted revision {}", revision);
  }
}
