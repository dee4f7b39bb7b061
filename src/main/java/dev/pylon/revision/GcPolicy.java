package dev.pylon.revision;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What {@code gc} keeps. An entry in use is always kept, whatever the policy says.
 *
 * @param keepUnusedFor a finished entry used within this long is kept
 * @param keepRecent this many most recently used finished entries are kept however old
 * @param unfinishedGrace an unfinished entry younger than this may be a build in progress, so it is
 *     kept (a build in progress also holds the entry's lock, which gc respects)
 */
public record GcPolicy(Duration keepUnusedFor, int keepRecent, Duration unfinishedGrace) {
  /** A week of disuse, the three most recent always, an hour for unfinished entries. */
  public static final GcPolicy DEFAULT = new GcPolicy(Duration.ofDays(7), 3, Duration.ofHours(1));

  /** Everything not in use goes (except builds in progress, which hold their lock). */
  public static final GcPolicy ALL_UNUSED = new GcPolicy(Duration.ZERO, 0, Duration.ZERO);

  public GcPolicy {
    if (keepUnusedFor.isNegative() || unfinishedGrace.isNegative() || keepRecent < 0) {
      throw new IllegalArgumentException("gc policy values must not be negative");
    }
  }

  /** This policy with another {@code keepRecent}. */
  public GcPolicy withKeepRecent(int count) {
    return new GcPolicy(keepUnusedFor, count, unfinishedGrace);
  }

  /**
   * The entries to delete: never one in {@code inUse}; an unfinished one once it is older than the
   * grace; a finished one when it is neither among the {@code keepRecent} most recently used nor
   * used within {@code keepUnusedFor}.
   *
   * @param inUse folders of entries still in use (by a revision that may run, by an instance)
   */
  public List<CacheEntry> choose(List<CacheEntry> entries, Set<Path> inUse, Instant now) {
    Set<Path> used = new HashSet<>();
    inUse.forEach(path -> used.add(path.toAbsolutePath().normalize()));
    List<CacheEntry> chosen = new ArrayList<>();
    List<CacheEntry> finished = new ArrayList<>();
    for (CacheEntry entry : entries) {
      if (used.contains(entry.dir().toAbsolutePath().normalize())) {
        continue;
      }
      if (!entry.complete()) {
        if (!entry.lastUsed().isAfter(now.minus(unfinishedGrace()))) {
          chosen.add(entry);
        }
        continue;
      }
      finished.add(entry);
    }
    finished.sort(
        Comparator.comparing(CacheEntry::lastUsed).reversed().thenComparing(CacheEntry::key));
    Instant cutoff = now.minus(keepUnusedFor());
    for (int i = keepRecent(); i < finished.size(); i++) {
      CacheEntry entry = finished.get(i);
      if (!entry.lastUsed().isAfter(cutoff)) {
        chosen.add(entry);
      }
    }
    chosen.sort(Comparator.comparing(CacheEntry::key));
    return chosen;
  }
}
