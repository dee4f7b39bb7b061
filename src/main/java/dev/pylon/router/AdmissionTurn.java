package dev.pylon.router;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One request's turn for an instance: picks its revision, claims a slot on an instance as {@link
 * Admission} decides, or waits in the revision's queue until a slot frees (then tries again) or the
 * queue timeout runs out. Runs on the request's event loop; wake-ups come from any thread.
 */
final class AdmissionTurn {
  /** What the turn tells its request, on the request's loop. */
  interface Outcome {
    /** The request ended meanwhile. */
    boolean gone();

    void picked(Lease lease);

    void rejected(Admission.Decision.Reject reject);
  }

  private final RouterContext router;
  private final EventExecutor loop;
  private final String host;
  private final String path;
  private final Outcome outcome;
  private final AdmissionQueue.Waiter waiter = this::wake;
  private Set<String> excluded = Set.of();
  private Backend backend;
  private AdmissionQueue waitingIn;
  private ScheduledFuture<?> queueTimer;

  AdmissionTurn(
      RouterContext router, EventExecutor loop, String host, String path, Outcome outcome) {
    this.router = router;
    this.loop = loop;
    this.host = host;
    this.path = path;
    this.outcome = outcome;
  }

  /** The revision chosen at the last try, or null. */
  Backend backend() {
    return backend;
  }

  /** Tries for an instance not in {@code excludedIds} (those failed this request already). */
  void ask(Set<String> excludedIds) {
    this.excluded = excludedIds;
    admit();
  }

  private void admit() {
    if (outcome.gone()) {
      return;
    }
    backend = router.snapshot.get().select(host, path);
    Lease claimed = backend == null ? null : router.balancer.acquire(backend, excluded);
    Admission.Decision decision =
        Admission.decide(
            new Admission.Situation(
                backend != null,
                backend == null ? 0 : backend.upstreams().size(),
                backend != null && backend.activating(),
                claimed != null,
                backend != null && LeastInFlightBalancer.hasEligible(backend, excluded),
                backend == null ? "" : backend.unavailable()));
    switch (decision) {
      case Admission.Decision.Pick pick -> {
        leave();
        outcome.picked(claimed);
      }
      case Admission.Decision.Queue queue -> enqueue(queue.activate());
      case Admission.Decision.Reject reject -> outcome.rejected(reject);
    }
  }

  private void enqueue(boolean activate) {
    AdmissionQueue queue = router.queue(backend.name());
    if (waitingIn == queue) {
      queue.requeue(waiter); // woken, but another request took the slot first
      return;
    }
    leave();
    if (!queue.offer(waiter)) {
      router.metrics.queueRejected();
      outcome.rejected(Admission.QUEUE_FULL);
      return;
    }
    waitingIn = queue;
    if (activate) {
      router.activation.accept(backend.name()); // scaled to zero: have an instance started
    }
    if (queueTimer == null) {
      long timeout = router.config.queueTimeout().toNanos();
      queueTimer = loop.schedule(this::onQueueTimeout, timeout, TimeUnit.NANOSECONDS);
    }
  }

  /** Called from any thread when a slot may be free. */
  private void wake() {
    loop.execute(this::admit);
  }

  private void onQueueTimeout() {
    if (outcome.gone() || waitingIn == null) {
      return;
    }
    router.metrics.queueTimedOut();
    Backend now = router.snapshot.get().select(host, path);
    outcome.rejected(
        Admission.timedOut(
            now == null ? null : now.name(),
            now == null ? 0 : now.upstreams().size(),
            router.config.queueTimeout().toSeconds()));
  }

  /** Leaves the queue, if waiting, and stops the queue timer. */
  void leave() {
    if (waitingIn != null) {
      waitingIn.remove(waiter);
      waitingIn = null;
    }
    if (queueTimer != null) {
      queueTimer.cancel(false);
      queueTimer = null;
    }
  }
}
