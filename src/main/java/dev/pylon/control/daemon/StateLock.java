package dev.pylon.control.daemon;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One daemon per state directory: an OS file lock on {@code <state>/daemon.lock}, held while the
 * daemon runs and released by the OS when its process dies, even by SIGKILL.
 */
final class StateLock implements AutoCloseable {
  static final String FILE = "daemon.lock";

  private final FileChannel channel;
  private final FileLock lock;

  private StateLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  static StateLock acquire(Path stateDir) throws IOException, DaemonFailure {
    FileChannel channel =
        FileChannel.open(
            stateDir.resolve(FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException sameProcess) {
      lock = null;
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    if (lock == null) {
      channel.close();
      throw new DaemonFailure(
          "Another `pylon server` already uses the state directory "
              + stateDir
              + ". Stop it first, take over from it without dropping a request (`pylon server"
              + " --takeover`), or give this one its own --state-dir.");
    }
    return new StateLock(channel, lock);
  }

  @Override
  public void close() {
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      // The lock goes with the process anyway.
    }
  }
}
