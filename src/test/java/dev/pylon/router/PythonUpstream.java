package dev.pylon.router;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
   * Debian's gunicorn serving {@code app}'s {@code app} object with one gthread worker of {@code
   * threads} threads and no worker timeout, as Pylon runs WSGI apps; {@code options} come before
   * the app (e.g. {@code --keep-alive 1}).
   */
  static PythonUpstream gunicorn(String app, int threads, String... options) throws Exception {
    return start(
        "gunicorn",
        app,
        (dir, port) -> {
          List<String> command =
              new ArrayList<>(
                  List.of(
                      PYTHON.toString(),
                      "-m",
                      "gunicorn",
                      "--bind",
                      "127.0.0.1:" + port,
                      "--workers",
                      "1",
                      "--threads",
                      String.valueOf(threads)));
          command.addAll(List.of(options));
          command.addAll(
              List.of("--timeout", "0", "--chdir", dir.toString(), moduleOf(app) + ":app"));
          return command;
        },
        Duration.ofSeconds(15));
  }

  /**
   * Debian's uvicorn serving {@code app}'s {@code app} object, quietly; {@code options} come before
   * the app (e.g. {@code --workers 2}).
   */
  static PythonUpstream uvicorn(String app, String... options) throws Exception {
    return start(
        "uvicorn",
        app,
        (dir, port) -> {
          List<String> command =
              new ArrayList<>(
                  List.of(
                      PYTHON.toString(),
                      "-m",
                      "uvicorn",
                      "--app-dir",
                      dir.toString(),
                      "--host",
                      "127.0.0.1",
                      "--port",
                      String.valueOf(port)));
          command.addAll(List.of(options));
          command.addAll(
              List.of("--log-level", "warning", "--no-access-log", moduleOf(app) + ":app"));
          return command;
        },
        Duration.ofSeconds(20));
  }

  private static String moduleOf(String app) {
    return app.substring(0, app.length() - ".py".length());
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

  /**
   * Sends the server and its workers a signal ({@code STOP}, {@code CONT}...), as kill(1) would.
   */
  void signal(String name) throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(List.of("kill", "-" + name, Long.toString(process.pid())));
    process.descendants().forEach(p -> command.add(Long.toString(p.pid())));
    new ProcessBuilder(command).inheritIO().start().waitFor();
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
