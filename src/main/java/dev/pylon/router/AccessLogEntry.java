package dev.pylon.router;

import java.time.Instant;

/**
 * One finished request, as the access log records it.
 *
 * @param status the status sent to the client; 499 when the client went away first
 * @param upstream {@code host:port} of the instance that answered, or {@code -} when none did
 * @param instanceExit how the instance's process ended while it had this request (the control
 *     plane's words), or null
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
    String requestId,
    String instanceExit) {

  public AccessLogEntry(
      Instant time,
      String client,
      String method,
      String target,
      int status,
      long bytesSent,
      long durationMicros,
      String upstream,
      String requestId) {
    this(
        time, client, method, target, status, bytesSent, durationMicros, upstream, requestId, null);
  }

  /**
   * {@code time client "METHOD target" status bytes duration_ms upstream request_id}, then {@code
   * "instance ... exited ..."} when the instance ended with the request.
   */
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
        + requestId
        + (instanceExit == null ? "" : " \"" + instanceExit + "\"");
  }
}
