package dev.pylon.revision;

import java.util.List;

/**
 * What {@code gc} did.
 *
 * @param deleted the entries deleted
 * @param busy entries chosen for deletion but left alone because a build held their lock
 * @param kept the entries kept
 */
public record GcReport(List<CacheEntry> deleted, List<CacheEntry> busy, List<CacheEntry> kept) {
  public GcReport {
    deleted = List.copyOf(deleted);
    busy = List.copyOf(busy);
    kept = List.copyOf(kept);
  }

  /** Bytes freed by the deletions. */
  public long bytesFreed() {
    return deleted.stream().mapToLong(CacheEntry::bytes).sum();
  }
}
