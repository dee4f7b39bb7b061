package dev.pylon.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * A start-up, readiness or liveness check of an instance: a TCP connection that is accepted (TCP),
 * an HTTP GET of {@code path} that answers 2xx or 3xx (HTTP), or an HTTP GET that answers at all
 * (ANSWERS_HTTP). The last is for start-up with servers that listen before the app is loaded
 * (gunicorn's master binds while its workers still import the app, and exits if they cannot): any
 * answer means the app is loaded and serving, whatever status its {@code /} has. SERVER_ANSWERS is
 * the same check without reaching the app: it sends a request line no server accepts ({@value
 * #NO_REQUEST}), which gunicorn's and uvicorn's workers, hypercorn and Python's http.server answer
 * with 400 (or an error page) once they are loaded, and no app code sees. The defaults are
 * Kubernetes': every 10 s, 1 s timeout, one success to pass, three failures in a row to fail.
 *
 * @param type TCP, HTTP, ANSWERS_HTTP or SERVER_ANSWERS
 * @param path for HTTP and ANSWERS_HTTP, the path to GET (e.g. {@code /healthz}); ignored for TCP
 * @param initialDelay how long after the instance is ready the first periodic check runs
 * @param period time between periodic checks
 * @param timeout how long one check may take
 * @param successThreshold successes in a row that make a failing instance pass again
 * @param failureThreshold failures in a row that make a passing instance fail
 */
public record Probe(
    Type type,
    String path,
    Duration initialDelay,
    Duration period,
    Duration timeout,
    int successThreshold,
    int failureThreshold) {
  public enum Type {
    TCP,
    HTTP,
    ANSWERS_HTTP,
    SERVER_ANSWERS
  }

  /** What SERVER_ANSWERS sends: one word, a request line no HTTP server takes for a request. */
  static final String NO_REQUEST = "PYLON-PROBE";

  /** What one check found. */
  public record Result(boolean passed, String detail) {}

  public Probe {
    Objects.requireNonNull(type, "type");
    path = path == null || path.isEmpty() ? "/" : path.startsWith("/") ? path : "/" + path;
    if (successThreshold < 1 || failureThreshold < 1) {
      throw new IllegalArgumentException("probe thresholds must be at least 1");
    }
  }

  public static Probe tcp() {
    return new Probe(
        Type.TCP, "/", Duration.ZERO, Duration.ofSeconds(10), Duration.ofSeconds(1), 1, 3);
  }

  public static Probe http(String path) {
    return new Probe(
        Type.HTTP, path, Duration.ZERO, Duration.ofSeconds(10), Duration.ofSeconds(1), 1, 3);
  }

  /** Passes once the server answers a GET of {@code path} with any HTTP status. */
  public static Probe answersHttp(String path) {
    return new Probe(
        Type.ANSWERS_HTTP,
        path,
        Duration.ZERO,
        Duration.ofSeconds(10),
        Duration.ofSeconds(1),
        1,
        3);
  }

  /**
   * Passes once the server answers at all (any bytes, or an orderly close) to a request line that
   * no server passes to the app: the server's workers are loaded, and the app saw nothing.
   */
  public static Probe serverAnswers() {
    return new Probe(
        Type.SERVER_ANSWERS,
        "/",
        Duration.ZERO,
        Duration.ofSeconds(10),
        Duration.ofSeconds(1),
        1,
        3);
  }

  public Probe withPeriod(Duration value) {
    return new Probe(type, path, initialDelay, value, timeout, successThreshold, failureThreshold);
  }

  public Probe withTimeout(Duration value) {
    return new Probe(type, path, initialDelay, period, value, successThreshold, failureThreshold);
  }

  public Probe withInitialDelay(Duration value) {
    return new Probe(type, path, value, period, timeout, successThreshold, failureThreshold);
  }

  public Probe withThresholds(int success, int failure) {
    return new Probe(type, path, initialDelay, period, timeout, success, failure);
  }

  /** Runs the check once against {@code host:port}; blocks for at most about {@code timeout}. */
  public Result check(String host, int port) {
    int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), millis);
      if (type == Type.TCP) {
        return new Result(true, "port " + port + " accepts connections");
      }
      socket.setSoTimeout(millis);
      OutputStream out = socket.getOutputStream();
      if (type == Type.SERVER_ANSWERS) {
        out.write((NO_REQUEST + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        String answer = readLine(socket.getInputStream());
        String[] status = answer.split(" ", 3);
        return new Result(
            true,
            "the server answers"
                + (status.length >= 2 && status[0].startsWith("HTTP/")
                    ? " (" + status[1] + " to a request no app sees)"
                    : ""));
      }
      out.write(
          ("GET "
                  + path
                  + " HTTP/1.1\r\nHost: "
                  + host
                  + ":"
                  + port
                  + "\r\nUser-Agent: pylon-probe\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      String statusLine = readLine(socket.getInputStream());
      String[] parts = statusLine.split(" ", 3);
      if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
        return new Result(false, "GET " + path + " answered something that is not HTTP");
      }
      int status = Integer.parseInt(parts[1]);
      boolean passed = type == Type.ANSWERS_HTTP || (status >= 200 && status < 400);
      return new Result(passed, "GET " + path + " answered " + status);
    } catch (IOException | NumberFormatException e) {
      String what =
          switch (type) {
            case TCP -> "connect to port " + port;
            case SERVER_ANSWERS -> "an answer from the server on port " + port;
            default -> "GET " + path;
          };
      return new Result(false, what + " failed: " + e.getMessage());
    }
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int c; (c = in.read()) != -1 && c != '\n'; ) {
      if (c != '\r') {
        line.append((char) c);
      }
      if (line.length() > 8192) {
        break;
      }
    }
    return line.toString();
  }
}
