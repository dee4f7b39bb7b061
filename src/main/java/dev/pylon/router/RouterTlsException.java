package dev.pylon.router;

/** The TLS certificate or key could not be used; the message says which file and what to do. */
public final class RouterTlsException extends RuntimeException {
  public RouterTlsException(String message, Throwable cause) {
    super(message, cause);
  }
}
