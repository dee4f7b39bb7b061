package dev.pylon.control.console;

import dev.pylon.control.daemon.RevisionRecord;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Follows a service's log for one Server-Sent Events stream: reads its revisions' logs again every
 * {@link #POLL} and sends each line newer than what the page already shows. The log files are the
 * ones {@code pylon logs} reads; nothing is kept beyond the stream.
 */
final class LogFollower {
  static final Duration POLL = Duration.ofMillis(500);

  /** An idle stream says it is alive this often, so proxies and browsers keep it open. */
  static final Duration HEARTBEAT = Duration.ofSeconds(15);

  private final ConsoleBackend backend;
  private final BooleanSupplier stopped;

  LogFollower(ConsoleBackend backend, BooleanSupplier stopped) {
    this.backend = backend;
    this.stopped = stopped;
  }

  /** Which lines of a read are new, given what was sent: state of one stream. */
  static final class Cursor {
    private Instant since;
    private final Set<String> sentAtSince = new HashSet<>();

    /** Lines at {@code since} itself count as shown (the page rendered them). */
    Cursor(Instant since) {
      this.since = since;
    }

    /** The lines of {@code read} (oldest first) not sent before; remembers them as sent. */
    List<LogEntry> next(List<LogEntry> read) {
      List<LogEntry> fresh = new ArrayList<>();
      for (LogEntry line : read) {
        Instant at = line.at();
        String key = line.json();
        if (at.isBefore(since)
            || (at.equals(since) && (sentAtSince.isEmpty() || sentAtSince.contains(key)))) {
          continue;
        }
        if (at.isAfter(since)) {
          since = at;
          sentAtSince.clear();
        }
        sentAtSince.add(key);
        fresh.add(line);
      }
      return fresh;
    }
  }

  /** Writes events until the client goes away, the service is deleted or the console closes. */
  void follow(String service, Instant since, OutputStream out) throws IOException {
    write(out, ": following the log\n\n");
    Cursor cursor = new Cursor(since);
    long lastWrite = System.nanoTime();
    while (!stopped.getAsBoolean()) {
      if (backend.service(service).isEmpty()) {
        write(out, "event: gone\ndata: {}\n\n");
        return;
      }
      List<RevisionRecord> revisions = backend.revisions(service);
      StringBuilder events = new StringBuilder();
      for (LogEntry line : cursor.next(LogEntry.merged(backend, revisions, 200))) {
        events
            .append("id: ")
            .append(line.time())
            .append("\nevent: line\ndata: ")
            .append(line.json())
            .append("\n\n");
      }
      if (!events.isEmpty()) {
        write(out, events.toString());
        lastWrite = System.nanoTime();
      } else if (System.nanoTime() - lastWrite > HEARTBEAT.toNanos()) {
        write(out, ": still here\n\n");
        lastWrite = System.nanoTime();
      }
      try {
        Thread.sleep(POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static void write(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }
}
