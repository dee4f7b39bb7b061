package dev.pylon.router;

import java.util.concurrent.atomic.AtomicInteger;

/** One request's claim on a slot of an upstream; released exactly once. */
final class Lease {
  private final Upstream upstream;
  private final AtomicInteger inFlight;
  private final Runnable onRelease;
  private boolean released;

  Lease(Upstream upstream, AtomicInteger inFlight, Runnable onRelease) {
    this.upstream = upstream;
    this.inFlight = inFlight;
    this.onRelease = onRelease;
  }

  Upstream upstream() {
    return upstream;
  }

  /** Frees the slot and lets a queued request try to take it. Safe to call twice. */
  void release() {
    if (released) {
      return;
    }
    released = true;
    inFlight.decrementAndGet();
    onRelease.run();
  }
}
