package dev.pylon.build;

import java.nio.file.Path;
import java.time.Instant;

/**
 * One virtualenv in the cache, as {@code gc} sees it.
 *
 * @param key its cache key (the folder's name)
 * @param dir its folder
 * @param complete whether it holds the completion marker; an entry without it is what an
 *     interrupted build left, or a build in progress
 * @param lastUsed when a build last took it (for an unfinished entry: when its folder last changed)
 * @param bytes its size on disk
 */
public record CacheEntry(String key, Path dir, boolean complete, Instant lastUsed, long bytes) {}
