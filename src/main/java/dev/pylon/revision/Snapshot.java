package dev.pylon.revision;

import java.nio.file.Path;
import java.util.Optional;

/**
 * An immutable copy of an app's source for one revision.
 *
 * @param service the service it belongs to
 * @param revisionId derived from the content (and the identity the caller mixed in), so the same
 *     source gives the same id; usable as {@code K_REVISION}
 * @param dir {@code <state>/revisions/<service>/<revisionId>/}, read-only
 * @param reused true when the revision already existed and nothing was copied
 * @param files how many files it holds
 * @param bytes their total size, bytecode not counted
 * @param ignoreFile the ignore file that decided what went in, if any
 */
public record Snapshot(
    String service,
    String revisionId,
    Path dir,
    boolean reused,
    int files,
    long bytes,
    Optional<String> ignoreFile) {}
