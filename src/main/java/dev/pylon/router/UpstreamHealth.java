package dev.pylon.router;

import java.time.Duration;

/**
 * Whether an instance answers, as the router sees it: outlier ejection for an instance that hangs
 * (stopped, deadlocked, stuck in a loop). Pure and immutable; one per instance, swapped whole.
 *
 * <p>A request that runs out of time without a response byte, while the instance answered nothing
 * else since that request was sent, means the instance is not answering at all (a merely slow
 * request leaves the other requests' answers behind it). The instance is then left out of the
 * rotation for a while (Envoy's outlier detection: a base time, longer each time in a row), after
 * which it gets one request at a time until it answers one; an answer brings it back in full. An
 * instance replaced by the control plane starts afresh.
 *
 * @param answeredAtNanos when it last sent a response byte ({@link System#nanoTime}), if ever
 * @param ejectedUntilNanos when it may get a trial request, if ejected
 * @param ejections ejections in a row; 0 means it is in the rotation
 */
record UpstreamHealth(
    boolean everAnswered, long answeredAtNanos, long ejectedUntilNanos, int ejections) {
  static final UpstreamHealth NEW = new UpstreamHealth(false, 0, 0, 0);

  /** The longest an instance is left out before it gets another trial request. */
  static final Duration MAX_EJECTION = Duration.ofMinutes(5);

  /** Answers closer together than this are not recorded again (one shared write per period). */
  static final long ANSWER_RESOLUTION_NANOS = 1_000_000;

  boolean ejected() {
    return ejections > 0;
  }

  /** The instance sent a response byte at {@code now}. */
  UpstreamHealth answered(long now) {
    if (ejections == 0 && everAnswered && now - answeredAtNanos < ANSWER_RESOLUTION_NANOS) {
      return this;
    }
    return new UpstreamHealth(true, now, 0, 0);
  }

  /**
   * A request sent at {@code sentNanos} ran out of time at {@code now} without a response byte.
   *
   * @param base how long the first ejection lasts
   */
  UpstreamHealth timedOut(long sentNanos, long now, Duration base) {
    if (everAnswered && answeredAtNanos - sentNanos > 0) {
      return this; // it answered others meanwhile: a slow request, not a hung instance
    }
    if (ejections > 0 && now - ejectedUntilNanos < 0) {
      return this; // out already: the other requests it held when it hung time out too
    }
    int n = Math.min(ejections + 1, 1000);
    long period = Math.min(base.toNanos() * n, MAX_EJECTION.toNanos());
    return new UpstreamHealth(everAnswered, answeredAtNanos, now + period, n);
  }

  /** Whether it may get a new request now, holding {@code inFlight} requests. */
  boolean admits(long now, int inFlight) {
    return ejections == 0 || (now - ejectedUntilNanos >= 0 && inFlight == 0);
  }

  /** How long the first ejection lasts: the request timeout, within 1 to 30 seconds. */
  static Duration baseEjection(Duration requestTimeout) {
    Duration floor = Duration.ofSeconds(1);
    Duration ceiling = Duration.ofSeconds(30);
    return requestTimeout.compareTo(floor) < 0
        ? floor
        : requestTimeout.compareTo(ceiling) > 0 ? ceiling : requestTimeout;
  }
}
