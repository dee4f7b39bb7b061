package dev.pylon.router;

import java.util.HashSet;
import java.util.Set;

/**
 * What one request went through with instances: the connections tried, the resends, the instances
 * that failed it, and when it was sent to the one it is on; and from that, with what the exchange
 * knows of the failed connection, the {@link ResendRule.Failure} to decide on.
 */
final class Attempts {
  private Set<String> failedIds = Set.of();
  private int connects;
  private int resends;
  private long sentNanos;
  private boolean resentToThis;

  /** Instances that failed this request, not to be tried again. */
  Set<String> failed() {
    return failedIds;
  }

  /** A connection to an instance is being tried. */
  void connecting() {
    connects++;
  }

  /** The request was written to the instance (again, on a resend to the same one). */
  void sent() {
    if (!resentToThis) {
      sentNanos = System.nanoTime();
    }
  }

  /** When the request was first sent to the instance it is on; 0 if not sent to it yet. */
  long sentNanos() {
    return sentNanos;
  }

  /** The request goes once more to the same instance, on a new connection. */
  void resendingToSameInstance() {
    resends++;
    resentToThis = true;
  }

  /** The request leaves {@code instance} for another; {@code wasSent}: that one had it. */
  void movingOn(Upstream instance, boolean wasSent) {
    if (wasSent) {
      resends++;
    }
    if (failedIds.isEmpty()) {
      failedIds = new HashSet<>(4);
    }
    failedIds.add(instance.id());
    resentToThis = false;
    sentNanos = 0;
  }

  ResendRule.Failure failure(
      ResendRule.Ending ending,
      Upstream instance,
      Backend backend,
      boolean pooled,
      boolean answered,
      boolean requestComplete,
      RequestHead head,
      boolean bodyHeld,
      int maxRetries,
      String instanceExit,
      boolean exitAsked) {
    Set<String> others = new HashSet<>(failedIds);
    others.add(instance.id());
    return new ResendRule.Failure(
        ending,
        pooled,
        answered,
        resentToThis,
        requestComplete,
        head.hasBody,
        bodyHeld,
        head.idempotentMethod,
        head.idempotencyKey(),
        resends,
        connects,
        maxRetries,
        backend != null && LeastInFlightBalancer.hasEligible(backend, others),
        instanceExit,
        exitAsked);
  }
}
