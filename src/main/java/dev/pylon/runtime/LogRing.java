package dev.pylon.runtime;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A revision's log on disk, bounded: JSON lines ({@link LogLine#toJson}) appended to {@code
 * <name>.log}; when it passes half of {@code maxBytes} it becomes {@code <name>.log.1} (replacing
 * the previous one) and a new file starts, so the pair never holds much more than {@code maxBytes}.
 * Thread-safe: every instance's reader threads may append.
 */
public final class LogRing implements AutoCloseable {
  private final Path current;
  private final Path previous;
  private final long maxFileBytes;
  private BufferedWriter writer;
  private long size;

  public LogRing(Path dir, String name, long maxBytes) throws IOException {
    Files.createDirectories(dir);
    this.current = dir.resolve(name + ".log");
    this.previous = dir.resolve(name + ".log.1");
    this.maxFileBytes = Math.max(1024, maxBytes / 2);
    open();
  }

  private void open() throws IOException {
    writer =
        Files.newBufferedWriter(
            current, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    size = Files.size(current);
  }

  public synchronized void append(LogLine line) throws IOException {
    String json = line.toJson() + "\n";
    writer.write(json);
    writer.flush();
    size += json.getBytes(StandardCharsets.UTF_8).length;
    if (size >= maxFileBytes) {
      writer.close();
      Files.move(current, previous, StandardCopyOption.REPLACE_EXISTING);
      open();
    }
  }

  /** The last {@code n} lines written (JSON text), oldest first. */
  public synchronized List<String> tail(int n) throws IOException {
    ArrayDeque<String> last = new ArrayDeque<>(n);
    for (Path file : List.of(previous, current)) {
      if (Files.exists(file)) {
        for (String json : Files.readAllLines(file, StandardCharsets.UTF_8)) {
          if (last.size() == n) {
            last.removeFirst();
          }
          last.addLast(json);
        }
      }
    }
    return new ArrayList<>(last);
  }

  @Override
  public synchronized void close() throws IOException {
    writer.close();
  }
}
