package dev.pylon.control.daemon;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@code pylon server} as its own JVM (so a test can SIGKILL it), with its output kept. */
final class DaemonProcess implements AutoCloseable {
  private final Process process;
  private final List<String> lines = new ArrayList<>();

  private DaemonProcess(Process process) {
    this.process = process;
    Thread reader = new Thread(this::read, "daemon-output-" + process.pid());
    reader.setDaemon(true);
    reader.start();
  }

  static DaemonProcess start(Path state, int port, String... more) throws IOException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command =
        new ArrayList<>(
            List.of(
                java.toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "dev.pylon.cli.Main",
                "server",
                "--port",
                Integer.toString(port),
                "--admin-port",
                "0",
                "--default-service",
                "hello",
                "--grace",
                "2s",
                "--state-dir",
                state.toString()));
    command.addAll(List.of(more));
    return new DaemonProcess(new ProcessBuilder(command).redirectErrorStream(true).start());
  }

  /** Waits until the daemon wrote its own server.json (not one a killed daemon left). */
  ServerInfo awaitListening(Path state, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("pylon server exited: " + output());
      }
      if (Files.exists(state.resolve(ServerInfo.FILE))) {
        try {
          ServerInfo info = ServerInfo.read(state);
          if (info.pid() == process.pid()) {
            return info;
          }
        } catch (IOException partlyWritten) {
          // Written by an atomic move, so only a stale or missing file is seen; try again.
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("pylon server did not listen within " + timeout + ": " + output());
  }

  /** Waits for the daemon to exit on its own; its exit status, or -1 if it did not. */
  int awaitExit(Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
  }

  void kill() throws InterruptedException {
    process.destroyForcibly(); // SIGKILL
    process.waitFor(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    process.destroy(); // SIGTERM: drains and stops every instance
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  String output() {
    synchronized (lines) {
      return String.join("\n", lines);
    }
  }

  private void read() {
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        synchronized (lines) {
          lines.add(line);
        }
      }
    } catch (IOException ended) {
      // The process is gone.
    }
  }
}
