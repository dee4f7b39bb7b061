package dev.pylon.spec;

/** Why a Python build could not be listed or installed, and what the user can do about it. */
public final class PythonProvisionException extends Exception {
  private static final long serialVersionUID = 1L;
  private final String hint;

  public PythonProvisionException(String message, String hint) {
    super(message, null, false, false);
    this.hint = hint;
  }

  public PythonProvisionException(String message, String hint, Throwable cause) {
    super(message, cause, false, false);
    this.hint = hint;
  }

  /** What to do about it, "" when there is nothing useful to add. */
  public String hint() {
    return hint;
  }
}
