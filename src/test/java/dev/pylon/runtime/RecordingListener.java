package dev.pylon.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Keeps everything an InstanceSet reports, and lets a test wait for what it expects. */
final class RecordingListener implements InstanceListener {
  record Line(String instance, boolean stderr, String text) {}

  private final List<List<ReadyInstance>> readyLists = new ArrayList<>();
  private final List<InstanceEvent> events = new ArrayList<>();
  private final List<Line> lines = new ArrayList<>();

  @Override
  public synchronized void readyChanged(List<ReadyInstance> ready) {
    readyLists.add(ready);
    notifyAll();
  }

  @Override
  public synchronized void event(InstanceEvent event) {
    events.add(event);
    notifyAll();
  }

  @Override
  public synchronized void output(String instance, boolean stderr, String line) {
    lines.add(new Line(instance, stderr, line));
    notifyAll();
  }

  synchronized List<List<ReadyInstance>> readyLists() {
    return List.copyOf(readyLists);
  }

  synchronized List<InstanceEvent> events() {
    return List.copyOf(events);
  }

  synchronized List<Line> lines() {
    return List.copyOf(lines);
  }

  synchronized List<ReadyInstance> ready() {
    return readyLists.isEmpty() ? List.of() : readyLists.getLast();
  }

  InstanceEvent awaitEvent(Predicate<InstanceEvent> wanted) throws InterruptedException {
    return await(() -> events.stream().filter(wanted).findFirst().orElse(null), "event");
  }

  List<ReadyInstance> awaitReady(Predicate<List<ReadyInstance>> wanted)
      throws InterruptedException {
    return await(() -> wanted.test(ready()) ? ready() : null, "ready list");
  }

  Line awaitLine(Predicate<Line> wanted) throws InterruptedException {
    return await(() -> lines.stream().filter(wanted).findFirst().orElse(null), "output line");
  }

  private synchronized <T> T await(java.util.function.Supplier<T> probe, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (true) {
      T found = probe.get();
      if (found != null) {
        return found;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError(
            "no such "
                + what
                + "; events: "
                + events
                + "\nready: "
                + readyLists
                + "\nlines: "
                + lines);
      }
      wait(Math.max(1, left / 1_000_000));
    }
  }
}
