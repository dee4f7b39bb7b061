package dev.pylon.router;

import java.time.Instant;

/**
 * One finished request, as the access log records it.
 *
 * @param status the status sent to the client; 499 when the client went away first
 * @param upstream {@code host:port} of the instance that answered, or {@code -} when none did
 */
public record AccessLogEntry(
    Instant time,
    String client,
    String method,
    String target,
    int status,
    long bytesSent,
    long durationMicros,
    String upstream,
    String requestId) {

  /** {@code time client "METHOD target" status bytes duration_ms upstream request_id}. */
  public String toLine() {
    return time
        + " "
        + client
        + " \""
        + method
        + " "
        + target
        + "\" "
        + status
        + " "
        + bytesSent
        + " "
        + String.format("%.3fms", durationMicros / 1000.0)
        + " "
        + upstream
        + " "
        + requestId;
  }
}
