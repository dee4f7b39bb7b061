package dev.pylon.control.daemon;

import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes what the reconciler learns (events, the counts the autoscaler wants) to the store on one
 * thread of its own, in order: the instances' supervisor and the autoscaler must not wait for a
 * SQLite write.
 */
final class StoreWriter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StoreWriter.class);

  private final DesiredStore store;
  private final ExecutorService writer = Executors.newSingleThreadExecutor();

  StoreWriter(DesiredStore store) {
    this.store = store;
  }

  /** Keeps the scaler's count for a restarted daemon. */
  void rememberScale(String revisionId, int instances) {
    try {
      writer.execute(
          () -> {
            try {
              store.setLastScale(revisionId, instances);
            } catch (StoreException e) {
              log.warn("cannot keep the scale of {}: {}", revisionId, e.getMessage());
            }
          });
    } catch (RejectedExecutionException closing) {
      // The daemon is stopping; the count it had before stays.
    }
  }

  void event(
      Instant at, String service, String revisionId, String instance, String kind, String detail) {
    try {
      writer.execute(
          () -> {
            try {
              store.addEvent(at, service, revisionId, instance, kind, detail);
            } catch (StoreException e) {
              log.warn("cannot record an event of {}: {}", revisionId, e.getMessage());
            }
          });
    } catch (RejectedExecutionException closing) {
      // The daemon is stopping; the event is only logged.
      log.info("{} {}: {} {}", revisionId, instance, kind, detail);
    }
  }

  /** Writes what is queued (for at most 5 s), then takes no more. */
  @Override
  public void close() {
    writer.shutdown();
    try {
      writer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
