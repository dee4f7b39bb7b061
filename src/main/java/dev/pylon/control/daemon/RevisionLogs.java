package dev.pylon.control.daemon;

import dev.pylon.runtime.LogLine;
import dev.pylon.runtime.LogRing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What instances wrote, per revision, in bounded files under {@code <state>/logs} that outlive the
 * daemon ({@code pylon logs}). One {@link LogRing} per revision for the daemon's life, so a file is
 * never written by two.
 */
public final class RevisionLogs implements AutoCloseable, RevisionOutput {
  private static final Logger log = LoggerFactory.getLogger(RevisionLogs.class);
  private static final long MAX_BYTES_PER_REVISION = 4L * 1024 * 1024;

  private final Path dir;
  private final Map<String, LogRing> rings = new HashMap<>();

  public RevisionLogs(Path stateDir) {
    this.dir = stateDir.resolve("logs");
  }

  @Override
  public void line(String revision, String instance, boolean stderr, String text) {
    append(revision, instance, stderr, text);
  }

  /** The revision's log file, and the command that shows it. */
  @Override
  public String whereToLook(RevisionRecord revision) {
    return "its output is in "
        + file(revision.id())
        + " (`pylon logs "
        + revision.service()
        + " --revision "
        + revision.id()
        + "`)";
  }

  /** The file a revision's lines are kept in. */
  public Path file(String revision) {
    return dir.resolve(revision + ".log");
  }

  void append(String revision, String instance, boolean stderr, String text) {
    try {
      ring(revision).append(LogLine.parse(Instant.now(), instance, stderr, text));
    } catch (IOException e) {
      log.debug("cannot keep a log line of {}: {}", instance, e.getMessage());
    }
  }

  /** The revision's last {@code n} lines as JSON text, oldest first; none when it has no log. */
  List<String> tail(String revision, int n) throws IOException {
    if (!Files.exists(dir.resolve(revision + ".log"))) {
      return List.of();
    }
    return ring(revision).tail(n);
  }

  private synchronized LogRing ring(String revision) throws IOException {
    LogRing ring = rings.get(revision);
    if (ring == null) {
      ring = new LogRing(dir, revision, MAX_BYTES_PER_REVISION);
      rings.put(revision, ring);
    }
    return ring;
  }

  @Override
  public synchronized void close() {
    for (LogRing ring : rings.values()) {
      try {
        ring.close();
      } catch (IOException e) {
        log.debug("cannot close a log: {}", e.getMessage());
      }
    }
    rings.clear();
  }
}
