package dev.pylon.runtime;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one start of one instance needs, whatever starts it.
 *
 * @param instance the instance's name ({@code <revision>-<n>})
 * @param attempt which start of the instance this is (1 for the first)
 * @param command the program and its arguments, {@code $PORT} already expanded
 * @param env the complete environment contract for this instance (PORT included); a launcher adds
 *     only what its own mechanism needs (a process launcher keeps Pylon's own variables under it)
 * @param port the port the instance must listen on, on 127.0.0.1
 * @param workDir the directory the command runs in
 * @param memoryLimitMiB the instance's memory limit, 0 for none
 * @param cpuLimit the instance's CPU limit in cores, 0 for none
 */
public record LaunchRequest(
    String instance,
    int attempt,
    List<String> command,
    Map<String, String> env,
    int port,
    Path workDir,
    long memoryLimitMiB,
    double cpuLimit) {
  public LaunchRequest {
    Objects.requireNonNull(instance, "instance");
    command = List.copyOf(command);
    env = Map.copyOf(env);
    Objects.requireNonNull(workDir, "workDir");
  }
}
