package dev.pylon.router;

import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Deadlines of one event loop that all share one duration (the request timeout, say). Each is set
 * to "now + that duration", so they fall due in the order they were set: a list kept in that order
 * is sorted by deadline. Setting and clearing one is O(1), allocates nothing and leaves the event
 * loop's scheduler alone; one periodic check expires what is due, at most a check period late.
 *
 * <p>It replaces a scheduled task per request and per idle connection: each schedule and cancel
 * allocates a task, reorders the loop's timer heap, and when the earliest deadline moves (which
 * with many short-lived connections is nearly every loop turn) costs a timerfd system call.
 *
 * <p>Use from the loop's thread only.
 */
final class TimeoutList {
  /** One deadline; in at most one list at a time. */
  static final class Entry {
    private final Runnable onExpiry;
    private TimeoutList list;
    private Entry prev;
    private Entry next;
    private long dueNanos;

    /**
     * @param onExpiry run on the loop when the deadline passes (the entry is cleared first)
     */
    Entry(Runnable onExpiry) {
      this.onExpiry = onExpiry;
    }

    /** Takes the entry out of its list, if it is in one. */
    void clear() {
      if (list != null) {
        list.unlink(this);
      }
    }
  }

  private final EventExecutor loop;
  private final long timeoutNanos;
  private final long checkPeriodNanos;
  private Entry head;
  private Entry tail;
  private boolean checking;

  TimeoutList(EventExecutor loop, Duration timeout) {
    this.loop = loop;
    this.timeoutNanos = timeout.toNanos();
    // a twentieth of the timeout, between 5 ms and 1 s: late by at most 5 % (or 1 s)
    this.checkPeriodNanos =
        Math.clamp(
            timeoutNanos / 20, TimeUnit.MILLISECONDS.toNanos(5), TimeUnit.SECONDS.toNanos(1));
  }

  /** Sets the entry's deadline to now plus this list's timeout (moving it here if elsewhere). */
  void arm(Entry e) {
    e.clear();
    e.dueNanos = System.nanoTime() + timeoutNanos;
    e.list = this;
    e.prev = tail;
    if (tail == null) {
      head = e;
    } else {
      tail.next = e;
    }
    tail = e;
    if (!checking) {
      checking = true; // runs while the loop lives: a list that empties often would churn otherwise
      loop.scheduleAtFixedRate(
          this::expireDue, checkPeriodNanos, checkPeriodNanos, TimeUnit.NANOSECONDS);
    }
  }

  private void expireDue() {
    long now = System.nanoTime();
    Entry e;
    while ((e = head) != null && e.dueNanos - now <= 0) {
      unlink(e);
      e.onExpiry.run();
    }
  }

  private void unlink(Entry e) {
    if (e.prev == null) {
      head = e.next;
    } else {
      e.prev.next = e.next;
    }
    if (e.next == null) {
      tail = e.prev;
    } else {
      e.next.prev = e.prev;
    }
    e.prev = null;
    e.next = null;
    e.list = null;
  }
}
