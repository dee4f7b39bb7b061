package dev.pylon.control.daemon;

/**
 * How many instances a service's revisions run, and how many requests each instance takes at once.
 *
 * @param min instances kept running per serving revision (at least one runs while there is no
 *     autoscaler)
 * @param max the most instances per revision
 * @param concurrency requests one instance holds at once; 0 means unlimited
 */
public record Scaling(int min, int max, int concurrency) {
  public static final Scaling DEFAULT = new Scaling(1, 10, 80);

  public Scaling {
    if (min < 0 || max < 1 || min > max || concurrency < 0) {
      throw new IllegalArgumentException(
          "scaling needs 0 <= min <= max, max >= 1 and concurrency >= 0 (got min "
              + min
              + ", max "
              + max
              + ", concurrency "
              + concurrency
              + ")");
    }
  }

  /** The instance count a serving revision runs with until an autoscaler decides otherwise. */
  public int instances() {
    return Math.min(max, Math.max(1, min));
  }
}
