package dev.pylon.control.console;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/** The last few samples, oldest first; a new one pushes out the oldest. Safe across threads. */
final class SampleRing {
  private final int capacity;
  private final ArrayDeque<Sample> samples;

  SampleRing(int capacity) {
    if (capacity < 2) {
      throw new IllegalArgumentException("a ring needs room for two samples to make a rate");
    }
    this.capacity = capacity;
    this.samples = new ArrayDeque<>(capacity);
  }

  synchronized void add(Sample sample) {
    if (samples.size() == capacity) {
      samples.removeFirst();
    }
    samples.addLast(sample);
  }

  synchronized List<Sample> samples() {
    return new ArrayList<>(samples);
  }
}
