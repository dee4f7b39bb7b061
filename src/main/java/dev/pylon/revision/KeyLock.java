package dev.pylon.revision;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * An exclusive lock on one cache entry, held while it is built or deleted, so that two builds of
 * the same key (two threads, two {@code pylon} processes) never write into one folder at once.
 *
 * <p>It is an OS file lock ({@link FileChannel#tryLock()}), so a build that crashes or is killed
 * loses it with its process and never blocks later builds. A JVM may hold only one lock per file
 * ({@link OverlappingFileLockException} otherwise), so a second thread in the same process polls
 * exactly like a second process does.
 */
final class KeyLock implements AutoCloseable {
  private static final Duration POLL = Duration.ofMillis(100);

  private final FileChannel channel;
  private final FileLock lock;

  private KeyLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Waits until the lock on {@code lockFile} is ours; {@code onWait} runs once if it has to wait.
   */
  static KeyLock acquire(Path lockFile, Runnable onWait) throws IOException, InterruptedException {
    FileChannel channel =
        FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    boolean waited = false;
    try {
      while (true) {
        FileLock lock = tryLock(channel);
        if (lock != null) {
          return new KeyLock(channel, lock);
        }
        if (!waited) {
          waited = true;
          onWait.run();
        }
        Thread.sleep(POLL);
      }
    } catch (IOException | InterruptedException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  private static FileLock tryLock(FileChannel channel) throws IOException {
    try {
      return channel.tryLock();
    } catch (OverlappingFileLockException heldInThisJvm) {
      return null;
    }
  }

  @Override
  public void close() throws IOException {
    try {
      lock.release();
    } finally {
      channel.close();
    }
  }
}
