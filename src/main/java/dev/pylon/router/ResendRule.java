package dev.pylon.router;

/**
 * Whether a request the instance failed is sent again, and where, or what its client gets instead.
 * Pure: it sees only what the exchange knew when the instance's connection ended.
 *
 * <p>The rule: send again only what the instance provably did not act on, and at most once. A
 * connection that was never made carried nothing, so another instance gets the request (up to
 * {@link RouterConfig#maxRetries}). A pooled connection that failed before any response byte came
 * back is the keep-alive race (the instance closed it as the request was sent): the request goes
 * once more, on a new connection to the same instance and keeping its slot there, if it can be
 * replayed (complete, body still held) and either is idempotent (method or Idempotency-Key, as Go's
 * net/http Transport accepts) or was reset unread (Linux resets a socket closed with unread data).
 * The new connection checks the instance itself: an instance whose process ended refuses it, and
 * then the request is not sent anywhere else. On a new connection only a reset of a bodyless
 * idempotent request (nothing of it was read) goes to another instance; a clean close after the
 * instance read the request is what a crash while handling it looks like (the "query of death" that
 * would kill every instance in turn), so it gets 502. nginx's {@code proxy_next_upstream} and
 * Envoy's retry policy both refuse to guess about a request that was sent; this refuses too.
 *
 * <p>Before a 502 for a request the instance had, the exchange asks the control plane whether the
 * instance's process ended ({@link Verdict.AskForExit}), so the answer can say so.
 */
final class ResendRule {
  private ResendRule() {}

  /** How the instance's connection ended, before a complete response. */
  enum Ending {
    /** No connection was made (refused, or the connect timeout ran out): nothing was sent. */
    NOT_CONNECTED,
    /** The instance's kernel reset the connection: what was sent was not read in full. */
    RESET,
    /** A clean close after the request was sent: the instance may have read all of it. */
    CLOSED
  }

  /**
   * What the exchange knew when the connection ended.
   *
   * @param pooled the connection came from the pool (it was idle before this request)
   * @param answered some byte of a response came back
   * @param resentToThis this connection was the resend to the instance the request was on
   * @param requestComplete the whole request had arrived from the client
   * @param hasBody the request has a body
   * @param bodyHeld the whole body is still held, so it can be sent again
   * @param idempotentMethod GET, HEAD, OPTIONS, PUT or DELETE
   * @param idempotencyKey the request carries an Idempotency-Key (or X-Idempotency-Key)
   * @param resends times the request was already sent again after a failure
   * @param attempts connections tried so far, this one included
   * @param maxRetries {@link RouterConfig#maxRetries}
   * @param anotherInstance some instance of the revision has not been tried yet
   * @param instanceExit how the instance's process ended, if the control plane said so since the
   *     request was sent to it; null when nothing is known
   * @param exitAsked the control plane had its chance to say so ({@link Verdict.AskForExit})
   */
  record Failure(
      Ending ending,
      boolean pooled,
      boolean answered,
      boolean resentToThis,
      boolean requestComplete,
      boolean hasBody,
      boolean bodyHeld,
      boolean idempotentMethod,
      boolean idempotencyKey,
      int resends,
      int attempts,
      int maxRetries,
      boolean anotherInstance,
      String instanceExit,
      boolean exitAsked) {}

  /** What to do about a failure. */
  sealed interface Verdict {
    /** Send the request again: on a new connection to the same instance, or to another one. */
    record SendAgain(boolean sameInstance) implements Verdict {}

    /** Answer the client from the router. */
    record Fail(int status, String text) implements Verdict {}

    /** Ask whether the instance's process ended (waiting briefly), then decide again. */
    record AskForExit() implements Verdict {}
  }

  static final Verdict SAME_INSTANCE = new Verdict.SendAgain(true);
  static final Verdict ANOTHER_INSTANCE = new Verdict.SendAgain(false);
  static final Verdict ASK_FOR_EXIT = new Verdict.AskForExit();

  static Verdict decide(Failure f) {
    boolean instanceHadIt = f.ending() != Ending.NOT_CONNECTED || f.resentToThis();
    if (instanceHadIt && f.instanceExit() != null) {
      return new Verdict.Fail(502, f.instanceExit() + " while handling this request");
    }
    if (f.ending() == Ending.NOT_CONNECTED) {
      if (f.resentToThis()) {
        // it had the request and now refuses connections: it went away with it
        return f.exitAsked()
            ? new Verdict.Fail(
                502, "the instance stopped accepting connections while handling this request")
            : ASK_FOR_EXIT;
      }
      return f.attempts() <= f.maxRetries() && f.anotherInstance()
          ? ANOTHER_INSTANCE
          : new Verdict.Fail(502, "could not connect to an instance of the app");
    }
    if (!f.answered()
        && f.resends() == 0
        && !f.resentToThis()
        && f.requestComplete()
        && (!f.hasBody() || f.bodyHeld())) {
      boolean reset = f.ending() == Ending.RESET;
      if (f.pooled() && (f.idempotentMethod() || f.idempotencyKey() || reset)) {
        return SAME_INSTANCE;
      }
      if (!f.pooled()
          && reset
          && f.idempotentMethod()
          && !f.hasBody()
          && f.attempts() <= f.maxRetries()
          && f.anotherInstance()) {
        return ANOTHER_INSTANCE;
      }
    }
    if (!f.exitAsked()) {
      return ASK_FOR_EXIT;
    }
    return new Verdict.Fail(
        502,
        f.answered()
            ? "the instance sent an incomplete response"
            : "the instance closed the connection before responding");
  }
}
