package dev.pylon.revision;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A progress that keeps what it was told, for tests to look at. */
final class RecordingProgress implements BuildProgress {
  final List<String> steps = new CopyOnWriteArrayList<>();
  final List<String> lines = new CopyOnWriteArrayList<>();

  @Override
  public void step(String description) {
    steps.add(description);
  }

  @Override
  public void line(String outputLine) {
    lines.add(outputLine);
  }

  long stepsStartingWith(String prefix) {
    return steps.stream().filter(step -> step.startsWith(prefix)).count();
  }
}
