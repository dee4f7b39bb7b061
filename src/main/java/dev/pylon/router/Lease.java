package dev.pylon.router;

/** One request's claim on a slot of an upstream; released exactly once. */
final class Lease {
  private final Upstream upstream;
  private final LeastInFlightBalancer.Load load;
  private final Runnable onRelease;
  private boolean released;

  Lease(Upstream upstream, LeastInFlightBalancer.Load load, Runnable onRelease) {
    this.upstream = upstream;
    this.load = load;
    this.onRelease = onRelease;
  }

  Upstream upstream() {
    return upstream;
  }

  LeastInFlightBalancer.Load load() {
    return load;
  }

  /** Frees the slot and lets a queued request try to take it. Safe to call twice. */
  void release() {
    if (released) {
      return;
    }
    released = true;
    load.inFlight.decrementAndGet();
    onRelease.run();
  }
}
