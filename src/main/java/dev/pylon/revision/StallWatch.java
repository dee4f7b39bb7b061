package dev.pylon.revision;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Closes a download's stream when nothing arrived on it for a while, so a read blocked on a dead
 * connection (a proxy or mirror that stopped sending without closing) ends with an error instead of
 * hanging the build. Java's HTTP client has no timeout for the body itself.
 */
final class StallWatch implements AutoCloseable {
  private final long limitNanos;
  private final Closeable stream;
  private final Thread watcher;
  private volatile long lastProgress = System.nanoTime();
  private volatile boolean stalled;
  private volatile boolean done;

  StallWatch(Duration limit, Closeable stream) {
    this.limitNanos = limit.toNanos();
    this.stream = stream;
    this.watcher = Thread.ofVirtual().name("pylon-download-stall-watch").start(this::watch);
  }

  /** Bytes arrived. */
  void progressed() {
    lastProgress = System.nanoTime();
  }

  /** Whether the stream was closed because it stalled. */
  boolean stalled() {
    return stalled;
  }

  private void watch() {
    long tick =
        Math.max(TimeUnit.MILLISECONDS.toNanos(10), Math.min(limitNanos / 4, 1_000_000_000L));
    while (!done) {
      try {
        TimeUnit.NANOSECONDS.sleep(tick);
      } catch (InterruptedException e) {
        return;
      }
      if (!done && System.nanoTime() - lastProgress > limitNanos) {
        stalled = true;
        try {
          stream.close(); // the blocked read ends with an IOException
        } catch (IOException e) {
          // Closing is all that is wanted; the reader reports the stall.
        }
        return;
      }
    }
  }

  @Override
  public void close() {
    done = true;
    watcher.interrupt();
  }
}
