package dev.pylon.runtime;

import dev.pylon.runtime.InstanceEvent.Kind;
import java.io.IOException;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A revision's structured log: an {@link InstanceListener} that keeps every line its instances
 * write ({@link LogLine#parse}: a JSON line keeps its fields) and every {@link InstanceEvent} (with
 * {@code "source": "pylon"} and {@code "event": KIND} fields and a severity by kind) in a bounded
 * {@link LogRing} file, then passes everything on to {@code next} unchanged. Wrap the listener
 * given to an {@link InstanceSet} with it; close it after the set is stopped.
 */
public final class RevisionLog implements InstanceListener, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RevisionLog.class);

  private final LogRing ring;
  private final InstanceListener next;
  private final InstantSource clock;
  private final AtomicBoolean failureSaid = new AtomicBoolean();

  /**
   * Appends to {@code <dir>/<revision>.log} (and {@code .log.1}), at most about {@code maxBytes} on
   * disk.
   */
  public RevisionLog(Path dir, String revision, long maxBytes, InstanceListener next)
      throws IOException {
    this(new LogRing(dir, revision, maxBytes), next, InstantSource.system());
  }

  RevisionLog(LogRing ring, InstanceListener next, InstantSource clock) {
    this.ring = ring;
    this.next = next;
    this.clock = clock;
  }

  @Override
  public void readyChanged(List<ReadyInstance> ready) {
    next.readyChanged(ready);
  }

  @Override
  public void event(InstanceEvent event) {
    append(
        new LogLine(
            event.at(),
            event.instance(),
            false,
            severity(event.kind()),
            event.kind().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
                + (event.detail().isEmpty() ? "" : ": " + event.detail()),
            Map.of("source", "pylon", "event", event.kind().name())));
    next.event(event);
  }

  @Override
  public void output(String instance, boolean stderr, String line) {
    append(LogLine.parse(clock.instant(), instance, stderr, line));
    next.output(instance, stderr, line);
  }

  /** The last {@code n} entries (JSON text), oldest first. */
  public List<String> tail(int n) throws IOException {
    return ring.tail(n);
  }

  /** Cloud Logging severities: trouble the user must act on is ERROR, passing trouble WARNING. */
  static String severity(Kind kind) {
    return switch (kind) {
      case STARTING, ADOPTED, READY, RESTARTING, STOPPED -> "INFO";
      case UNREADY, LIVENESS_FAILED, EXITED, WARNING -> "WARNING";
      case MEMORY_LIMIT, FAILED_TO_START, CRASH_LOOP -> "ERROR";
    };
  }

  private void append(LogLine line) {
    try {
      ring.append(line);
    } catch (IOException e) {
      if (failureSaid.compareAndSet(false, true)) {
        log.warn("cannot write the revision log ({}); later lines are not kept", e.getMessage());
      }
    }
  }

  @Override
  public void close() throws IOException {
    ring.close();
  }
}
