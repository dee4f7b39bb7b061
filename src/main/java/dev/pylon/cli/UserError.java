package dev.pylon.cli;

/**
 * A failure the user can act on: its message is the whole report (what happened and what to do), so
 * it is printed without a stack trace.
 */
public final class UserError extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int exitCode;

  public UserError(String message, int exitCode) {
    super(message, null, false, false);
    this.exitCode = exitCode;
  }

  public UserError(String message) {
    this(message, 1);
  }

  public int exitCode() {
    return exitCode;
  }
}
