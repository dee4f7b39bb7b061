package dev.pylon.control.daemon;

/** The daemon could not start; the message says why and what to do. */
public final class DaemonFailure extends Exception {
  private static final long serialVersionUID = 1L;

  public DaemonFailure(String message) {
    super(message, null, false, false);
  }
}
