package dev.pylon.router;

/** The router could not listen on its address; the message says what to do. */
public final class RouterBindException extends RuntimeException {
  public RouterBindException(String message, Throwable cause) {
    super(message, cause);
  }
}
