package dev.pylon.runtime;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives the disk space of the part of an instance's output file that has been read back to the file
 * system, so a shim's output file, which the instance appends to for as long as it runs, stays
 * small on disk however much it prints: a hole is punched over what was read ({@code fallocate
 * --punch-hole}), as {@code journald} and container log drivers bound theirs. Offsets stay valid
 * (the file keeps its length, its start reads as zeros), so the instance's appends and a
 * successor's saved read offset need no coordination; nothing not yet read is ever touched.
 */
final class ReadPartFreeing {
  private static final Logger log = LoggerFactory.getLogger(ReadPartFreeing.class);
  private static final long BLOCK = 4096;

  private final Path file;
  private final long step;
  private long freedUpTo;
  private boolean unsupported;

  /** Frees {@code file}'s read part each time another {@code step} bytes have been read. */
  ReadPartFreeing(Path file, long step) {
    this.file = file;
    this.step = step;
  }

  /** What has been read is {@code [0, offset)}. */
  void readUpTo(long offset) {
    long upTo = offset / BLOCK * BLOCK;
    if (unsupported || upTo - freedUpTo < step) {
      return;
    }
    List<String> command =
        List.of(
            "fallocate",
            "--punch-hole",
            "--offset",
            Long.toString(freedUpTo),
            "--length",
            Long.toString(upTo - freedUpTo),
            file.toString());
    try {
      Process punch =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
              .start();
      String said = new String(punch.getInputStream().readAllBytes()).strip();
      if (!punch.waitFor(5, TimeUnit.SECONDS) || punch.exitValue() != 0) {
        punch.destroyForcibly();
        unsupported = true;
        log.warn(
            "cannot free the read part of {} ({}): it grows while its instance runs", file, said);
        return;
      }
      freedUpTo = upTo;
    } catch (IOException e) {
      unsupported = true;
      log.warn("cannot run fallocate to free the read part of {}: {}", file, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** How far the file's disk space has been given back (for tests). */
  long freedUpTo() {
    return freedUpTo;
  }
}
