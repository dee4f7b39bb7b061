package dev.pylon.control.daemon;

import java.util.List;

/**
 * A request the daemon cannot carry out, as the admin API reports it: an HTTP status, what
 * happened, and what to do about it.
 */
public final class ApiException extends Exception {
  private static final long serialVersionUID = 1L;
  private final int status;
  private final String hint;
  private final List<String> details;

  public ApiException(int status, String error, String hint) {
    this(status, error, hint, List.of());
  }

  public ApiException(int status, String error, String hint, List<String> details) {
    super(error, null, false, false);
    this.status = status;
    this.hint = hint;
    this.details = List.copyOf(details);
  }

  public int status() {
    return status;
  }

  public String hint() {
    return hint;
  }

  /** Lines that explain the error (a tool's last output lines), possibly none. */
  public List<String> details() {
    return details;
  }

  static ApiException noService(String name) {
    return new ApiException(
        404, "there is no service named " + name, "see the services with `pylon services`");
  }
}
