package dev.pylon.router;

import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Requests of one backend waiting for a free slot, oldest first, bounded. A waiter is woken on its
 * own event loop; if another request took the slot first it goes back to the front.
 */
final class AdmissionQueue {
  /** A queued request. {@link #wake} runs the request's next admission attempt on its loop. */
  interface Waiter {
    void wake();
  }

  private final ConcurrentLinkedDeque<Waiter> waiters = new ConcurrentLinkedDeque<>();
  private final AtomicInteger size = new AtomicInteger();
  private final int limit;

  AdmissionQueue(int limit) {
    this.limit = limit;
  }

  /** Adds a waiter at the back; false when the queue is full. */
  boolean offer(Waiter waiter) {
    if (size.incrementAndGet() > limit) {
      size.decrementAndGet();
      return false;
    }
    waiters.addLast(waiter);
    // A slot may have been freed between the caller's failed attempt and now: try at once.
    wakeOne();
    return true;
  }

  /** Puts a woken waiter that lost the race back at the front; never refused. */
  void requeue(Waiter waiter) {
    size.incrementAndGet();
    waiters.addFirst(waiter);
  }

  /** Removes a waiter that gave up (timeout, client gone). */
  boolean remove(Waiter waiter) {
    if (waiters.removeFirstOccurrence(waiter)) {
      size.decrementAndGet();
      return true;
    }
    return false;
  }

  void wakeOne() {
    Waiter w = waiters.pollFirst();
    if (w != null) {
      size.decrementAndGet();
      w.wake();
    }
  }

  void wakeAll() {
    for (int n = size.get(); n > 0; n--) {
      wakeOne();
    }
  }

  int size() {
    return size.get();
  }
}
