package dev.pylon.runtime;

import java.util.ArrayDeque;
import java.util.List;

/** The last lines an instance wrote (both streams, in arrival order), for error reports. */
final class OutputTail {
  private final int capacity;
  private final ArrayDeque<String> lines;

  OutputTail(int capacity) {
    this.capacity = Math.max(1, capacity);
    this.lines = new ArrayDeque<>(this.capacity);
  }

  synchronized void add(String line) {
    if (lines.size() == capacity) {
      lines.removeFirst();
    }
    lines.addLast(line);
  }

  synchronized List<String> lines() {
    return List.copyOf(lines);
  }
}
