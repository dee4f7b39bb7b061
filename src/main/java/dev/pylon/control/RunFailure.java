package dev.pylon.control;

/**
 * A run that cannot go on, with the paragraph that tells the user why and what to do, and the exit
 * status the command ends with.
 */
public final class RunFailure extends Exception {
  private static final long serialVersionUID = 1L;
  private final int exitCode;

  public RunFailure(String message, int exitCode) {
    super(message, null, false, false);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
