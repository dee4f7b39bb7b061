package dev.pylon.router;

import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * What the control plane said about instance processes that ended ({@link Router#instanceExited}),
 * for requests that were on them when their connection ended: the exit they name in their 502.
 *
 * <p>The runtime hears of an exit a little after the kernel closed the instance's sockets (the
 * router sees the close first; 0.4 s before the exit was reported under {@code pylon run} on a busy
 * machine), so a request asks with a wait ({@link #await}). Only a request that fails anyway waits.
 * Thread-safe.
 */
final class InstanceExits {
  /** How long a request waits for the word on its instance before answering without it. */
  static final long WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(2000);

  /** Exits older than this are forgotten (they concern no request still waiting). */
  private static final long KEEP_NANOS = TimeUnit.SECONDS.toNanos(30);

  private record Exit(String how, long atNanos) {}

  private record Waiter(EventExecutor loop, Consumer<String> then) {}

  private final ConcurrentHashMap<String, Exit> exits = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, List<Waiter>> waiters = new ConcurrentHashMap<>();

  /** Instance {@code upstreamId}'s process ended; {@code how} says so in a user's words. */
  void exited(String upstreamId, String how) {
    long now = System.nanoTime();
    exits.values().removeIf(e -> now - e.atNanos() > KEEP_NANOS);
    exits.put(upstreamId, new Exit(how, now));
    List<Waiter> waiting = waiters.remove(upstreamId);
    if (waiting != null) {
      synchronized (waiting) {
        for (Waiter w : waiting) {
          w.loop().execute(() -> w.then().accept(how));
        }
        waiting.clear();
      }
    }
  }

  /** How the instance ended, if it did at or after {@code sinceNanos}; else null. */
  String since(String upstreamId, long sinceNanos) {
    Exit e = exits.get(upstreamId);
    return e != null && e.atNanos() - sinceNanos >= 0 ? e.how() : null;
  }

  /**
   * Calls {@code then} once on {@code loop}: with how the instance ended (at or after {@code
   * sinceNanos}) as soon as that is known, or with null after {@link #WAIT_NANOS}.
   */
  void await(String upstreamId, long sinceNanos, EventExecutor loop, Consumer<String> then) {
    String known = since(upstreamId, sinceNanos);
    if (known != null) {
      then.accept(known);
      return;
    }
    boolean[] done = new boolean[1];
    Consumer<String> once =
        how -> {
          if (!done[0]) {
            done[0] = true;
            then.accept(how);
          }
        };
    Waiter w = new Waiter(loop, once);
    List<Waiter> list = waiters.computeIfAbsent(upstreamId, k -> new ArrayList<>(2));
    synchronized (list) {
      list.add(w);
    }
    // a report between the first look and the registration found no waiter: look again
    String raced = since(upstreamId, sinceNanos);
    if (raced != null) {
      once.accept(raced);
    }
    loop.schedule(
        () -> {
          synchronized (list) {
            list.remove(w);
          }
          once.accept(since(upstreamId, sinceNanos));
        },
        WAIT_NANOS,
        TimeUnit.NANOSECONDS);
  }
}
