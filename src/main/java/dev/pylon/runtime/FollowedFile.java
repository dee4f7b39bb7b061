package dev.pylon.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A file another process appends to, read as a stream ({@code tail -f}): at its end a read waits
 * for more until {@link #finish} (the writer is gone: the rest is read, then end of stream) or
 * {@link #detach} (end of stream at once, wherever the reading is). {@link #offset} is how far it
 * has been read, so a successor can go on from there.
 */
final class FollowedFile extends InputStream {
  private static final Duration POLL = Duration.ofMillis(50);

  private final RandomAccessFile file;
  private final ReadPartFreeing freeing;
  private volatile boolean finished;
  private volatile boolean detached;
  private volatile long offset;

  /**
   * Follows {@code path} from {@code from}; each time another {@code freeStep} bytes have been
   * read, their disk space is given back ({@link ReadPartFreeing}).
   */
  FollowedFile(Path path, long from, long freeStep) throws IOException {
    this.file = new RandomAccessFile(path.toFile(), "r");
    this.freeing = new ReadPartFreeing(path, freeStep);
    this.offset = Math.min(from, file.length());
    file.seek(offset);
  }

  /** The writer has ended: read what is left, then end. */
  void finish() {
    finished = true;
  }

  /** Stop following now: the next read ends the stream. */
  void detach() {
    detached = true;
  }

  long offset() {
    return offset;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) == 1 ? one[0] & 0xff : -1;
  }

  @Override
  public int read(byte[] buffer, int from, int length) throws IOException {
    while (true) {
      if (detached) {
        return -1;
      }
      boolean last = finished; // read before reading, so nothing written before the end is lost
      int n = file.read(buffer, from, length);
      if (n > 0) {
        offset += n;
        freeing.readUpTo(offset);
        return n;
      }
      if (last) {
        return -1;
      }
      try {
        Thread.sleep(POLL);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return -1;
      }
    }
  }

  @Override
  public void close() throws IOException {
    file.close();
  }
}
