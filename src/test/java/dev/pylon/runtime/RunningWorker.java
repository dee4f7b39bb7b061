package dev.pylon.runtime;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The built-in worker started with the real python3 for a test, its stderr collected. */
final class RunningWorker implements AutoCloseable {
  final Process process;
  final int port;
  private final List<String> stderr = new ArrayList<>();
  private final Thread stderrReader;

  private RunningWorker(Process process, int port) {
    this.process = process;
    this.port = port;
    this.stderrReader =
        Thread.ofPlatform()
            .daemon()
            .start(
                () -> {
                  try (BufferedReader r =
                      new BufferedReader(
                          new InputStreamReader(
                              process.getErrorStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                      synchronized (stderr) {
                        stderr.add(line);
                        stderr.notifyAll();
                      }
                    }
                  } catch (IOException e) {
                    // the process is gone
                  }
                });
  }

  /** Starts the worker on {@code app} from {@code appDir}; does not wait for it to listen. */
  static RunningWorker start(Path appDir, String app, String... extraArgs) throws IOException {
    Path script = BuiltinWorker.materialize(appDir.resolve("worker"));
    int port = freePort();
    List<String> command = new ArrayList<>();
    for (String part : BuiltinWorker.command("python3", script, app, appDir, 4)) {
      command.add(part.replace("$PORT", Integer.toString(port)));
    }
    command.addAll(List.of(extraArgs));
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    builder.environment().put("PYTHONUNBUFFERED", "1");
    return new RunningWorker(builder.start(), port);
  }

  /**
   * Starts the ASGI worker on {@code app} from {@code appDir} with {@code python} (Debian's, for
   * its FastAPI and Starlette); does not wait for it to listen.
   */
  static RunningWorker startAsgi(Path appDir, String app, String python, String... extraArgs)
      throws IOException {
    Path script = BuiltinWorker.materializeAsgi(appDir.resolve("worker"));
    int port = freePort();
    List<String> command = new ArrayList<>();
    for (String part : BuiltinWorker.asgiCommand(python, script, app, appDir)) {
      command.add(part.replace("$PORT", Integer.toString(port)));
    }
    command.addAll(List.of(extraArgs));
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    builder.environment().put("PYTHONUNBUFFERED", "1");
    return new RunningWorker(builder.start(), port);
  }

  /** Sends SIGTERM, as the supervisor does to stop an instance. */
  void terminate() {
    process.destroy();
  }

  static Path appDir(Path tempDir) throws IOException {
    try (var in = RunningWorker.class.getResourceAsStream("/runtime/worker_test_app.py")) {
      Files.write(tempDir.resolve("worker_test_app.py"), in.readAllBytes());
    }
    return tempDir;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    }
  }

  /** Waits until the port accepts connections; fails if the process exits first. */
  RunningWorker awaitListening() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("worker exited " + process.exitValue() + ": " + stderr());
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return this;
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    throw new AssertionError("worker never listened: " + stderr());
  }

  String stderr() {
    synchronized (stderr) {
      return String.join("\n", stderr);
    }
  }

  /** Waits until a stderr line contains {@code text}. */
  void awaitStderr(String text) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    synchronized (stderr) {
      while (stderr.stream().noneMatch(l -> l.contains(text))) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          throw new AssertionError("no stderr line with '" + text + "' in: " + stderr);
        }
        stderr.wait(left);
      }
    }
  }

  int awaitExit() throws InterruptedException {
    if (!process.waitFor(15, TimeUnit.SECONDS)) {
      throw new AssertionError("worker did not exit: " + stderr());
    }
    stderrReader.join(5000);
    return process.exitValue();
  }

  @Override
  public void close() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
