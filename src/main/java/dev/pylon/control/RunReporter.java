package dev.pylon.control;

/** Where a foreground run tells its person what is happening. The cli prints; tests collect. */
public interface RunReporter {
  /** A step or a decision, one line ("Serving main:app with gunicorn because ..."). */
  void step(String message);

  /** A line of a tool's own output shown under the current step (pip's progress). */
  void detail(String line);

  /** Something the user should know that does not stop the run. */
  void warning(String message);

  /** One line an instance wrote on stdout or stderr. */
  void instanceLine(String instance, boolean stderr, String line);
}
