package dev.pylon.runtime;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts each instance as a container of the revision's image ({@link ContainerRun}: the image's
 * CMD, the environment contract, the engine's memory and CPU limits, the port on 127.0.0.1).
 *
 * <p>Each container is a foreground {@code podman run}: its output is the container's, its exit
 * status the container's, and SIGTERM to it reaches the container's PID 1 (podman proxies signals).
 * Containers are labelled with the revision, so the next launcher of the revision removes what a
 * killed Pylon left running.
 */
public final class ContainerLauncher implements InstanceLauncher {
  private static final Logger log = LoggerFactory.getLogger(ContainerLauncher.class);

  private final ContainerRun run;
  private final String token = Long.toString(ThreadLocalRandom.current().nextLong(1L << 30), 36);

  /**
   * Removes the revision's containers a killed Pylon left behind, then starts none until asked.
   *
   * @param run how each container runs; its limits apply to every instance
   */
  public ContainerLauncher(ContainerRun run) {
    this.run = run;
    int strays = run.removeContainers();
    if (strays > 0) {
      log.info("{}: removed {} container(s) an earlier Pylon left", run.revision(), strays);
    }
  }

  @Override
  public RunningInstance launch(LaunchRequest request, Output output) throws LaunchException {
    String name = "pylon-" + request.instance() + "-" + request.attempt() + "-" + token;
    List<String> command =
        run.command(name, Integer.toString(request.port()), request.env().keySet());
    log.debug("{}: {}", request.instance(), command);
    Process process;
    try {
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
      // The values the container gets by name; the engine keeps its own PATH and HOME.
      request
          .env()
          .forEach(
              (variable, value) -> {
                if (!ContainerRun.HOST_ONLY.contains(variable)) {
                  builder.environment().put(variable, value);
                }
              });
      process = builder.start();
    } catch (IOException e) {
      throw new LaunchException(run.engine() + " cannot be started: " + e.getMessage());
    }
    Container container = new Container(name, process, run.memoryLimitMiB() > 0);
    Thread out = read(process.getInputStream(), false, output, name);
    Thread err = read(process.getErrorStream(), true, output, name);
    process
        .onExit()
        .thenRunAsync(
            () -> {
              join(out);
              join(err);
              container.ended();
            });
    return container;
  }

  private static Thread read(InputStream stream, boolean stderr, Output output, String name) {
    return Thread.ofVirtual()
        .name("container-output-" + name)
        .start(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                  output.line(stderr, line);
                }
              } catch (IOException ended) {
                // the container's output closed
              }
            });
  }

  private static void join(Thread thread) {
    try {
      thread.join(Duration.ofSeconds(2));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Removes whatever of the revision's containers is left (none, after a clean stop). */
  @Override
  public void close() {
    run.removeContainers();
  }

  /** One container, watched through its foreground {@code podman run}. */
  private final class Container implements RunningInstance {
    private final String name;
    private final Process process;
    private final boolean limited;
    private final CompletableFuture<InstanceExit> exit = new CompletableFuture<>();
    private volatile boolean oomKilled;

    Container(String name, Process process, boolean limited) {
      this.name = name;
      this.process = process;
      this.limited = limited;
    }

    void ended() {
      int status = process.exitValue();
      // podman run exits 137 when the container's PID 1 was killed by SIGKILL (the kernel's
      // OOM killer included), 143 by SIGTERM unhandled, else with PID 1's own status.
      oomKilled = limited && status == 137;
      String how =
          status > 128
              ? "killed by signal " + (status - 128) + (oomKilled ? " (memory limit?)" : "")
              : "exited with status " + status;
      exit.complete(new InstanceExit(status, how, oomKilled));
    }

    @Override
    public long pid() {
      return process.pid();
    }

    @Override
    public boolean alive() {
      return process.isAlive();
    }

    @Override
    public boolean gone() {
      return !process.isAlive() && exit.isDone();
    }

    @Override
    public void terminate() {
      // podman run passes SIGTERM on to the container's PID 1 (--sig-proxy, its default); the
      // engine's stop timeout then kills it if it does not end.
      process.destroy();
    }

    @Override
    public void kill() {
      run.engine(List.of("kill", "--signal", "KILL", name), new ArrayList<>());
      process.destroyForcibly();
    }

    @Override
    public CompletableFuture<InstanceExit> exit() {
      return exit;
    }

    @Override
    public OptionalDouble cpuSeconds() {
      return OptionalDouble.empty();
    }

    @Override
    public OptionalLong residentBytes() {
      return OptionalLong.empty();
    }

    @Override
    public boolean kernelLimitsMemory() {
      return limited;
    }

    @Override
    public boolean memoryLimitHit() {
      return oomKilled;
    }

    @Override
    public void release() {
      run.engine(List.of("rm", "-f", "--ignore", "-t", "0", name), new ArrayList<>());
    }
  }
}
