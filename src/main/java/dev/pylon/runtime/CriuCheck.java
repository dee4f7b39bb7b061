package dev.pylon.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether CRIU could checkpoint and restore instances on this host: {@code criu check}, run once
 * per daemon (it takes about half a second) the first time a revision would make a warm start, and
 * its answer kept. Pylon does not restore from CRIU snapshots yet; the answer says why the zygote
 * is used instead, once in the log and once per revision in its events.
 */
public final class CriuCheck {
  private static final Logger log = LoggerFactory.getLogger(CriuCheck.class);

  /**
   * @param usable whether {@code criu check} passed
   * @param reason in words: what {@code criu check} said, or why it could not run
   */
  public record Result(boolean usable, String reason) {}

  private final List<String> command;
  private Result result; // guarded by this

  /** {@code criu check}, found on PATH. */
  public CriuCheck() {
    this(List.of("criu", "check"));
  }

  CriuCheck(List<String> command) {
    this.command = List.copyOf(command);
  }

  /** The answer, asking {@code criu} the first time; blocks while it runs. */
  public synchronized Result result() {
    if (result == null) {
      result = run();
      log.info(
          "snapshot starts (CRIU): {}; scale from zero forks instances from a zygote instead",
          result.reason());
    }
    return result;
  }

  private Result run() {
    Process check;
    try {
      check = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      return new Result(false, "criu is not installed (" + e.getMessage() + ")");
    }
    try {
      check.getOutputStream().close();
      String out = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!check.waitFor(10, TimeUnit.SECONDS)) {
        check.destroyForcibly();
        return new Result(false, "criu check did not answer within 10 s");
      }
      if (check.exitValue() == 0) {
        return new Result(true, "criu check passes, but Pylon does not restore CRIU snapshots yet");
      }
      return new Result(false, "criu check fails here: " + summary(out, check.exitValue()));
    } catch (IOException e) {
      return new Result(false, "criu check could not be read: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      check.destroyForcibly();
      return new Result(false, "interrupted while criu check ran");
    }
  }

  /**
   * The telling lines: the first (the cause, e.g. "vdso: Unexpected rt vDSO area bounds") and the
   * last (the conclusion), quoted; the exit status when it printed nothing.
   */
  static String summary(String output, int status) {
    List<String> lines = output.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    if (lines.isEmpty()) {
      return "exit status " + status;
    }
    String first = "\"" + lines.get(0) + "\"";
    return lines.size() == 1 ? first : first + " ... \"" + lines.get(lines.size() - 1) + "\"";
  }
}
