package dev.pylon.runtime;

import java.util.List;
import java.util.function.Consumer;

/**
 * One instance of an {@link InstanceSet}: its name, its {@link InstanceLife}, its current process
 * and the last lines it wrote. The set's supervisor thread owns it; the volatile fields are also
 * read by the threads that start, probe and stop the instance.
 */
final class InstanceSlot {
  final String name;
  final int index;
  private final int outputLines;
  InstanceLife life;
  volatile RunningInstance handle; // the current (or last) attempt's
  volatile OutputTail tail;
  volatile OutputTail previousTail;
  int adoptPort; // supervisor-owned: a running instance to adopt on its first launch, 0 if none

  InstanceSlot(String name, int index, InstanceLife life, int outputLines) {
    this.name = name;
    this.index = index;
    this.life = life;
    this.outputLines = outputLines;
    this.tail = new OutputTail(outputLines);
  }

  /** A fresh tail for a new attempt; the last one's lines stay visible until it writes. */
  OutputTail newTail() {
    previousTail = tail;
    tail = new OutputTail(outputLines);
    return tail;
  }

  /** Signals the current process, if one runs. */
  void ifRunning(Consumer<RunningInstance> signal) {
    RunningInstance current = handle;
    if (current != null && life.run() == InstanceLife.Run.RUNNING) {
      signal.accept(current);
    }
  }

  InstanceStatus status() {
    RunningInstance current = handle;
    boolean running = current != null && current.alive();
    List<String> lines = tail.lines();
    if (lines.isEmpty() && previousTail != null) {
      lines = previousTail.lines(); // the predecessor's, while the new one wrote none
    }
    return new InstanceStatus(
        name,
        life.state(),
        life.port(),
        running ? current.pid() : -1,
        life.attempt(),
        life.since(),
        life.lastExit(),
        lines);
  }
}
