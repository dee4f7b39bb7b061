package dev.pylon.control.daemon;

/** The state database could not be read or written; the message says which file and why. */
public final class StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
