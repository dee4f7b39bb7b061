package dev.pylon.router;

/**
 * Whether a request gets an instance now, waits in its revision's queue, or is turned away, and
 * with which words. Pure: the exchange tries to claim a slot first and tells the outcome.
 */
final class Admission {
  private Admission() {}

  /**
   * What the router saw when the request asked for an instance.
   *
   * @param routed a route matched and named a revision
   * @param ready instances of the revision that are ready (capped or not)
   * @param activating the revision is scaled to zero and an instance may be started
   * @param claimed a slot on an instance was claimed for the request
   * @param untried some ready instance has not failed this request yet
   * @param unavailable why no instance of the revision will be ready soon (a crash loop); "" when
   *     requests may wait
   */
  record Situation(
      boolean routed,
      int ready,
      boolean activating,
      boolean claimed,
      boolean untried,
      String unavailable) {
    /** A revision whose requests may wait. */
    Situation(boolean routed, int ready, boolean activating, boolean claimed, boolean untried) {
      this(routed, ready, activating, claimed, untried, "");
    }
  }

  sealed interface Decision {
    /** Send the request to the instance whose slot it claimed. */
    record Pick() implements Decision {}

    /** Wait for a slot; {@code activate}: no instance runs, have one started. */
    record Queue(boolean activate) implements Decision {}

    /** Answer from the router; {@code retryAfterSeconds} adds Retry-After when positive. */
    record Reject(int status, String text, int retryAfterSeconds) implements Decision {}
  }

  static final Decision PICK = new Decision.Pick();
  static final Decision QUEUE = new Decision.Queue(false);
  static final Decision QUEUE_AND_ACTIVATE = new Decision.Queue(true);
  static final Decision.Reject NOT_READY = new Decision.Reject(503, "no instance is ready", 1);
  static final Decision.Reject UNREACHABLE =
      new Decision.Reject(502, "no instance could be reached", 0);
  static final Decision.Reject QUEUE_FULL =
      new Decision.Reject(503, "every instance is busy and the queue is full", 1);

  static Decision decide(Situation s) {
    if (s.routed() && s.ready() == 0 && !s.unavailable().isEmpty()) {
      return new Decision.Reject(503, s.unavailable(), 5); // a crash loop: waiting would not help
    }
    if (!s.routed() || (s.ready() == 0 && !s.activating())) {
      return NOT_READY;
    }
    if (s.claimed()) {
      return PICK;
    }
    if (s.ready() > 0 && !s.untried()) {
      return UNREACHABLE; // every instance failed this request already
    }
    return s.ready() == 0 ? QUEUE_AND_ACTIVATE : QUEUE;
  }

  /**
   * The queue timeout ran out.
   *
   * @param revision the revision the request waits for as routed now, or null
   * @param readyNow its ready instances now
   */
  static Decision.Reject timedOut(String revision, int readyNow, long waitedSeconds) {
    if (revision != null && readyNow == 0) {
      // Scaled to zero and no instance got ready in time: the revision is failing to start, or
      // starts slower than the queue waits. Busy instances are another matter, so another text.
      return new Decision.Reject(
          503,
          "revision " + revision + " could not start an instance within " + waitedSeconds + " s",
          5);
    }
    return new Decision.Reject(503, "every instance stayed busy for " + waitedSeconds + " s", 1);
  }
}
