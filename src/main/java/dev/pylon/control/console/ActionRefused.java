package dev.pylon.control.console;

/** An action the daemon did not take, with what to do instead; shown on the page as it is. */
public final class ActionRefused extends Exception {
  private static final long serialVersionUID = 1L;
  private final String hint;

  public ActionRefused(String message, String hint) {
    super(message);
    this.hint = hint;
  }

  public String hint() {
    return hint;
  }

  /** The message and the hint, as one sentence a user reads. */
  String text() {
    return hint.isBlank() ? getMessage() : getMessage() + "; " + hint;
  }
}
