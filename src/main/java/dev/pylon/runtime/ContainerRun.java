package dev.pylon.runtime;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * The {@code podman run} (or {@code docker run}) of one instance of a revision's image, the way
 * Cloud Run runs a container: the image's own CMD, the instance's environment contract passed by
 * name ({@code -e NAME}: the engine takes each value from its own environment, so values never
 * appear in a process list), memory and CPU limits handed to the engine, the port published on
 * 127.0.0.1 only, SIGTERM proxied to the container's PID 1 and SIGKILL after {@code grace}. Every
 * container carries the revision as a label, so what a killed Pylon left behind can be found and
 * removed.
 *
 * @param engine podman's (or docker's) program
 * @param image the revision's image, in the engine's store
 * @param revision the revision's name, for container names and the label
 * @param grace how long a stopped container has between SIGTERM and SIGKILL
 * @param memoryLimitMiB the container's memory limit, 0 for none
 * @param cpuLimit its CPU limit in cores, 0 for none
 */
public record ContainerRun(
    Path engine,
    String image,
    String revision,
    Duration grace,
    long memoryLimitMiB,
    double cpuLimit) {
  /** The label every container Pylon starts carries: its revision. */
  public static final String REVISION_LABEL = "dev.pylon.revision";

  /** Variables of the host's process contract that mean nothing inside the image. */
  static final Set<String> HOST_ONLY =
      Set.of(
          "PATH",
          "HOME",
          "PWD",
          "VIRTUAL_ENV",
          "PYTHONPATH",
          "PYTHONHOME",
          "PYTHONDONTWRITEBYTECODE",
          "GCE_METADATA_HOST");

  private static final Duration COMMAND_LIMIT = Duration.ofSeconds(60);

  /**
   * The command that runs one instance in the foreground.
   *
   * @param name the container's name
   * @param port the port, or {@code $PORT} for a template the runtime expands
   * @param envNames the variables to hand in; host-only ones ({@link #HOST_ONLY}) are left out
   */
  public List<String> command(String name, String port, Collection<String> envNames) {
    List<String> command = new ArrayList<>();
    command.add(engine.toString());
    command.addAll(List.of("run", "--rm", "--name", name, "--pull=never"));
    command.addAll(List.of("--label", REVISION_LABEL + "=" + revision));
    command.addAll(List.of("--stop-timeout", Long.toString(Math.max(1, grace.toSeconds()))));
    command.addAll(List.of("-p", "127.0.0.1:" + port + ":" + port));
    if (memoryLimitMiB > 0) {
      command.add("--memory=" + memoryLimitMiB + "m");
    }
    if (cpuLimit > 0) {
      command.add("--cpus=" + String.format(Locale.ROOT, "%.3f", cpuLimit));
    }
    // PORT by value: the runtime sets it per instance, after the template's variables.
    command.addAll(List.of("-e", "PORT=" + port));
    for (String variable : new TreeSet<>(envNames)) {
      if (!HOST_ONLY.contains(variable) && !variable.equals("PORT")) {
        command.addAll(List.of("-e", variable));
      }
    }
    command.add(image);
    return command;
  }

  /**
   * Removes every container of this revision, running or not (a killed Pylon's, or one whose {@code
   * podman run} was killed at the end of the grace period); returns how many.
   */
  public int removeContainers() {
    List<String> ids = new ArrayList<>();
    engine(List.of("ps", "-a", "-q", "--filter", "label=" + REVISION_LABEL + "=" + revision), ids);
    int removed = 0;
    for (String id : ids) {
      if (!id.isBlank()
          && engine(List.of("rm", "-f", "-t", "0", id.strip()), new ArrayList<>()) == 0) {
        removed++;
      }
    }
    return removed;
  }

  /** Runs {@code ENGINE ARGS} to its end, its output lines into {@code lines}; -1 on failure. */
  int engine(List<String> args, List<String> lines) {
    List<String> command = new ArrayList<>();
    command.add(engine.toString());
    command.addAll(args);
    try {
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
              .start();
      try (BufferedReader in =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        in.lines().forEach(lines::add);
      }
      if (!process.waitFor(COMMAND_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        return -1;
      }
      return process.exitValue();
    } catch (IOException e) {
      lines.add(e.getMessage());
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }
}
