package dev.pylon.revision;

import java.nio.file.Path;
import java.time.Instant;

/**
 * One virtualenv or revision in the state folder, as {@code gc} sees it.
 *
 * @param key its name: the cache key of a virtualenv, the id of a revision
 * @param dir its folder
 * @param complete whether it is finished; an unfinished entry is what an interrupted build left, or
 *     a build in progress
 * @param lastUsed when a build last took it (for an unfinished entry: when its folder last changed)
 * @param bytes its size on disk
 */
public record CacheEntry(String key, Path dir, boolean complete, Instant lastUsed, long bytes) {}
