package dev.pylon.control;

import dev.pylon.revision.BuildProgress;

/** Shows a build's steps and pip's output lines through the run's reporter. */
final class ReporterBuildProgress implements BuildProgress {
  private final RunReporter reporter;

  ReporterBuildProgress(RunReporter reporter) {
    this.reporter = reporter;
  }

  @Override
  public void step(String message) {
    reporter.step(message);
  }

  @Override
  public void line(String line) {
    reporter.detail(line);
  }
}
