package dev.pylon.control.daemon;

import java.util.Optional;

/**
 * One line of a service's traffic: a share of its requests, a tag (its own URL), or both.
 *
 * @param revision the revision id; empty means "the latest ready revision"
 * @param percent share of the service's requests, 0..100
 * @param tag a name for {@code TAG---SERVICE.localhost}; empty for none
 */
public record TrafficTarget(Optional<String> revision, int percent, Optional<String> tag) {
  public TrafficTarget {
    if (percent < 0 || percent > 100) {
      throw new IllegalArgumentException("a traffic percent is 0..100, not " + percent);
    }
  }

  public static TrafficTarget latest(int percent) {
    return new TrafficTarget(Optional.empty(), percent, Optional.empty());
  }

  public static TrafficTarget revision(String id, int percent) {
    return new TrafficTarget(Optional.of(id), percent, Optional.empty());
  }

  public static TrafficTarget tag(String id, String tag) {
    return new TrafficTarget(Optional.of(id), 0, Optional.of(tag));
  }

  public boolean latestRevision() {
    return revision.isEmpty();
  }
}
