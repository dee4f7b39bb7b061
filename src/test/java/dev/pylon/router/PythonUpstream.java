package dev.pylon.router;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

/**
 * A real Python server (Debian's gunicorn or uvicorn) serving one app from the test resources, on a
 * free port of 127.0.0.1. A test is skipped, not failed, where that Python cannot start it.
 */
final class PythonUpstream implements AutoCloseable {
  static final Path PYTHON = Path.of("/usr/bin/python3");

  private final Process process;
  private final Path dir;
  private final int port;

  private PythonUpstream(Process process, Path dir, int port) {
    this.process = process;
    this.dir = dir;
    this.port = port;
  }

  /**
   * Copies {@code /router/<app>} into a temporary folder and starts {@code command.apply(folder,
   * port)}; returns once the port accepts connections.
   */
  static PythonUpstream start(
      String server, String app, BiFunction<Path, Integer, List<String>> command, Duration within)
      throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    return start(server, app, command, within, port);
  }

  /** As {@link #start(String, String, BiFunction, Duration)}, on a given port (for restarts). */
  static PythonUpstream start(
      String server,
      String app,
      BiFunction<Path, Integer, List<String>> command,
      Duration within,
      int port)
      throws Exception {
    assumeTrue(Files.isExecutable(PYTHON), "Debian python3 with " + server + " is not installed");
    Path dir = Files.createTempDirectory("pylon-router-" + server);
    try (InputStream source = PythonUpstream.class.getResourceAsStream("/router/" + app)) {
      Files.copy(source, dir.resolve(app));
    }
    Path log = dir.resolve(server + ".log");
    Process process =
        new ProcessBuilder(command.apply(dir, port))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    PythonUpstream upstream = new PythonUpstream(process, dir, port);
    long deadline = System.nanoTime() + within.toNanos();
    while (!accepts(port)) {
      if (!process.isAlive()) {
        String output = Files.readString(log);
        upstream.close();
        assumeTrue(false, server + " did not start: " + output);
      }
      if (System.nanoTime() > deadline) {
        upstream.close();
        throw new IllegalStateException(server + " did not listen within " + within);
      }
      Thread.sleep(50);
    }
    return upstream;
  }

  int port() {
    return port;
  }

  /** Kills the server at once (SIGKILL), as a crash would; {@link #close} still cleans up. */
  void kill() throws InterruptedException {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    process.waitFor(5, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws IOException {
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try (var files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private static boolean accepts(int port) {
    try {
      new Socket("127.0.0.1", port).close();
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
