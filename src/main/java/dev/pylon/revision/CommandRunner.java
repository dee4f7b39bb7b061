package dev.pylon.revision;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one build tool (venv, pip, compileall, a pre-start command) to completion, passing each
 * output line on as it comes and keeping the last lines for an error message.
 *
 * <p>The child inherits Pylon's environment, so pip's own variables ({@code PIP_NO_INDEX}, {@code
 * PIP_FIND_LINKS}, {@code PIP_INDEX_URL}...) reach it untouched; {@code extraEnv} is added on top.
 * When the waiting thread is interrupted (Ctrl-C), the tool and everything it started are killed
 * before the interrupt is passed on, so no orphaned pip keeps writing into a cache entry.
 */
final class CommandRunner {
  private static final Logger log = LoggerFactory.getLogger(CommandRunner.class);
  private static final Duration READER_DRAIN = Duration.ofSeconds(5);
  private static final Duration NO_LIMIT = Duration.ofDays(365);

  private final Map<String, String> extraEnv;
  private final int tailLines;

  CommandRunner(Map<String, String> extraEnv, int tailLines) {
    this.extraEnv = Map.copyOf(extraEnv);
    this.tailLines = tailLines;
  }

  /**
   * Runs {@code command} in {@code workDir} with {@code env} added to the environment.
   *
   * @throws IOException when the program cannot be started at all
   * @throws InterruptedException when interrupted; the process tree has been killed by then
   */
  CommandResult run(
      List<String> command, Path workDir, Map<String, String> env, Consumer<String> onLine)
      throws IOException, InterruptedException {
    return run(command, workDir, env, onLine, NO_LIMIT);
  }

  /**
   * Like {@link #run(List, Path, Map, Consumer)}, but kills the command and everything it started
   * once {@code limit} has passed; the result then says {@code timedOut}.
   */
  CommandResult run(
      List<String> command,
      Path workDir,
      Map<String, String> env,
      Consumer<String> onLine,
      Duration limit)
      throws IOException, InterruptedException {
    long started = System.nanoTime();
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
    builder.environment().putAll(extraEnv);
    builder.environment().putAll(env);
    builder.redirectErrorStream(true);
    builder.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    log.debug("running {} in {}", command, workDir);
    Process process = builder.start();
    Deque<String> tail = new ArrayDeque<>(tailLines);
    Thread reader =
        Thread.ofVirtual()
            .name("output-" + process.pid())
            .start(() -> readLines(process, line -> remember(tail, line, onLine)));
    try {
      boolean timedOut = false;
      if (!process.waitFor(limit.toNanos(), TimeUnit.NANOSECONDS)) {
        timedOut = true;
        log.info("{} ran longer than {}; killing it", command, limit);
        killTree(process);
      }
      int exitCode = process.waitFor();
      reader.join(READER_DRAIN);
      List<String> lines;
      synchronized (tail) {
        lines = List.copyOf(tail);
      }
      return new CommandResult(
          exitCode, lines, Duration.ofNanos(System.nanoTime() - started), timedOut);
    } catch (InterruptedException e) {
      killTree(process);
      throw e;
    }
  }

  private void remember(Deque<String> tail, String line, Consumer<String> onLine) {
    synchronized (tail) {
      if (tail.size() == tailLines) {
        tail.removeFirst();
      }
      tail.addLast(line);
    }
    try {
      onLine.accept(line);
    } catch (RuntimeException e) {
      // The output must keep draining whatever the listener does, or the tool blocks on a full
      // pipe and the build hangs.
      log.warn("progress listener failed on a line of output: {}", e.toString());
    }
  }

  private static void readLines(Process process, Consumer<String> onLine) {
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        onLine.accept(line);
      }
    } catch (IOException e) {
      // The process was killed and its pipe closed under us: nothing more to read.
      log.debug("output of pid {} ended: {}", process.pid(), e.toString());
    } catch (UncheckedIOException e) {
      log.debug("output of pid {} ended: {}", process.pid(), e.toString());
    }
  }

  /**
   * Kills the process and its descendants (pip may have started a build backend), and waits
   * (briefly) until they are gone, so that nothing still writes into a folder about to be deleted.
   */
  static void killTree(Process process) {
    List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
    all.add(process.toHandle());
    all.forEach(ProcessHandle::destroyForcibly);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    for (ProcessHandle handle : all) {
      try {
        long left = Math.max(0, deadline - System.nanoTime());
        handle.onExit().get(left, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (ExecutionException | TimeoutException e) {
        log.debug("waiting for pid {} to exit: {}", handle.pid(), e.toString());
      }
    }
  }
}
