package dev.pylon.cli;

import dev.pylon.control.RunReporter;
import java.io.PrintStream;

/** Prints a run's progress for a person; instance output is prefixed with the instance name. */
final class ConsoleReporter implements RunReporter {
  private final PrintStream out;
  private final PrintStream err;

  ConsoleReporter(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  @Override
  public synchronized void step(String message) {
    out.println("pylon: " + message);
    out.flush();
  }

  @Override
  public synchronized void detail(String line) {
    out.println("    " + line);
    out.flush();
  }

  @Override
  public synchronized void warning(String message) {
    err.println("pylon: warning: " + message);
    err.flush();
  }

  @Override
  public synchronized void instanceLine(String instance, boolean stderr, String line) {
    PrintStream stream = stderr ? err : out;
    stream.println("[" + instance + "] " + line);
    stream.flush();
  }
}
