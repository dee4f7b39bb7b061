package dev.pylon.router;

import java.time.Duration;
import java.util.List;

/**
 * Debian's hypercorn serving {@code h2_app.py}: HTTP/1.1, h2c with prior knowledge, and upgrade.
 */
final class Hypercorn {
  private Hypercorn() {}

  static PythonUpstream start(int keepAliveSeconds) throws Exception {
    return PythonUpstream.start(
        "hypercorn", "h2_app.py", (dir, port) -> command(dir, port, keepAliveSeconds), TIMEOUT);
  }

  static PythonUpstream start(int keepAliveSeconds, int port) throws Exception {
    return PythonUpstream.start(
        "hypercorn", "h2_app.py", (dir, p) -> command(dir, p, keepAliveSeconds), TIMEOUT, port);
  }

  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  private static List<String> command(java.nio.file.Path dir, int port, int keepAliveSeconds) {
    return List.of(
        PythonUpstream.PYTHON.toString(),
        "-m",
        "hypercorn",
        "--bind",
        "127.0.0.1:" + port,
        "--keep-alive",
        String.valueOf(keepAliveSeconds),
        dir.resolve("h2_app").toString() + ":app");
  }
}
