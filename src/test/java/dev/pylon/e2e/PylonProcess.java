package dev.pylon.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The real {@code ./pylon} launcher started as a user would start it, with its output collected
 * line by line so a test can wait for what a person would see.
 */
final class PylonProcess implements AutoCloseable {
  private final Process process;
  private final List<String> lines = new ArrayList<>();
  private final Thread reader;

  private PylonProcess(Process process) {
    this.process = process;
    this.reader = new Thread(this::readOutput, "pylon-output-" + process.pid());
    this.reader.setDaemon(true);
    this.reader.start();
  }

  static Path sourceRoot() {
    String root = System.getenv("PYLON_SOURCE_ROOT");
    return root == null ? Path.of("").toAbsolutePath() : Path.of(root);
  }

  static PylonProcess start(Map<String, String> extraEnv, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(sourceRoot().resolve("pylon").toString());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.directory(sourceRoot().toFile());
    builder.environment().putAll(extraEnv);
    return new PylonProcess(builder.start());
  }

  /**
   * {@code pylon run APP --port PORT --state-dir STATE EXTRA...}, returned once it prints that it
   * serves; fails with everything it printed when it does not within two minutes.
   */
  static PylonProcess serving(
      Map<String, String> extraEnv, Path state, int port, String app, String... extra)
      throws IOException, InterruptedException {
    List<String> args =
        new ArrayList<>(
            List.of("run", app, "--port", Integer.toString(port), "--state-dir", state.toString()));
    args.addAll(List.of(extra));
    PylonProcess pylon = start(extraEnv, args.toArray(String[]::new));
    try {
      pylon.awaitLine(line -> line.contains("Serving at http"), Duration.ofSeconds(120));
    } catch (AssertionError | InterruptedException e) {
      pylon.close();
      throw e;
    }
    return pylon;
  }

  private void readOutput() {
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        System.out.println("  | " + line);
        synchronized (lines) {
          lines.add(line);
          lines.notifyAll();
        }
      }
    } catch (IOException ignored) {
      // The process ended; what it printed is kept.
    }
  }

  /** Waits for a line that matches, failing with everything printed so far. */
  String awaitLine(Predicate<String> matches, Duration timeout) throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    synchronized (lines) {
      int seen = 0;
      while (true) {
        for (; seen < lines.size(); seen++) {
          if (matches.test(lines.get(seen))) {
            return lines.get(seen);
          }
        }
        long left = Duration.between(Instant.now(), deadline).toMillis();
        if (left <= 0 || (!process.isAlive() && !reader.isAlive())) {
          throw new AssertionError(
              "pylon did not print the expected line within "
                  + timeout
                  + " (alive: "
                  + process.isAlive()
                  + "); it printed:\n"
                  + String.join("\n", lines));
        }
        lines.wait(Math.min(left, 200));
      }
    }
  }

  String output() {
    synchronized (lines) {
      return String.join("\n", lines);
    }
  }

  long pid() {
    return process.pid();
  }

  /** Every process below Pylon right now (instances and their workers). */
  List<ProcessHandle> descendants() {
    return process.toHandle().descendants().toList();
  }

  void signal(String name) throws IOException, InterruptedException {
    new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
        .inheritIO()
        .start()
        .waitFor();
  }

  int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("pylon did not exit within " + timeout + ":\n" + output());
    }
    reader.join(5_000);
    return process.exitValue();
  }

  @Override
  public void close() {
    List<ProcessHandle> left = process.isAlive() ? descendants() : List.of();
    process.destroyForcibly();
    left.forEach(ProcessHandle::destroyForcibly);
  }
}
