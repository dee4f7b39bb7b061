package dev.pylon.control.daemon;

import java.util.List;

/**
 * The daemon said no, or could not be reached. The message is for a person; {@code hint} says what
 * to do; {@code details} are lines that explain it (a tool's last output).
 */
public final class AdminClientException extends Exception {
  private static final long serialVersionUID = 1L;
  private final int status;
  private final String hint;
  private final List<String> details;

  public AdminClientException(int status, String message, String hint, List<String> details) {
    super(message, null, false, false);
    this.status = status;
    this.hint = hint;
    this.details = List.copyOf(details);
  }

  /** The HTTP status, 0 when the daemon could not be reached. */
  public int status() {
    return status;
  }

  public String hint() {
    return hint;
  }

  public List<String> details() {
    return details;
  }
}
