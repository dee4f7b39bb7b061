package dev.pylon.spec;

/**
 * One interpreter finder for all spec tests: finding interpreters asks each one its version, which
 * is the slow part of loading a spec, and the answers do not change during a test run.
 */
final class TestPythons {
  private TestPythons() {}

  static final PythonFinder FINDER = new PythonFinder();
}
