package dev.pylon.build;

import java.time.Duration;

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
}
