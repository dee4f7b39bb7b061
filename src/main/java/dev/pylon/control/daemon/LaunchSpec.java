package dev.pylon.control.daemon;

import dev.pylon.runtime.SupervisorOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * How an instance of a revision starts, made once per revision ({@link RevisionLauncher}) and kept
 * with it, so a restarted daemon serves it again without reading the app folder or building
 * anything; {@code pylon run} starts its instances from the same plan.
 *
 * @param command the program and its arguments ({@code $PORT} expanded per instance)
 * @param env the environment contract and the app's own variables
 * @param workDir the revision's read-only snapshot
 * @param http2 the instances speak HTTP/2 without TLS (service.yaml's port named h2c), so the
 *     router sends them requests as HTTP/2 streams
 * @param memoryMiB the memory each instance may use; empty: no limit
 * @param cpuLimit the cores each instance may use; empty: no limit
 * @param container the image each instance is a container of; empty: instances are processes
 * @param checks the start-up, readiness and liveness checks the spec declares
 */
public record LaunchSpec(
    List<String> command,
    Map<String, String> env,
    Path workDir,
    boolean http2,
    OptionalLong memoryMiB,
    OptionalDouble cpuLimit,
    Optional<ContainerImage> container,
    InstanceChecks checks) {
  public LaunchSpec {
    command = List.copyOf(command);
    env = Map.copyOf(env);
    Objects.requireNonNull(workDir, "workDir");
    Objects.requireNonNull(memoryMiB, "memoryMiB");
    Objects.requireNonNull(cpuLimit, "cpuLimit");
    Objects.requireNonNull(container, "container");
    Objects.requireNonNull(checks, "checks");
  }

  /** Instances that are processes, watched with the runtime's default checks. */
  public LaunchSpec(
      List<String> command,
      Map<String, String> env,
      Path workDir,
      boolean http2,
      OptionalLong memoryMiB,
      OptionalDouble cpuLimit) {
    this(
        command,
        env,
        workDir,
        http2,
        memoryMiB,
        cpuLimit,
        Optional.empty(),
        InstanceChecks.DEFAULTS);
  }

  /** This plan, its instances containers of {@code image}. */
  public LaunchSpec inContainers(ContainerImage image) {
    return new LaunchSpec(
        command, env, workDir, http2, memoryMiB, cpuLimit, Optional.of(image), checks);
  }

  /** This plan, its instances watched with {@code value}. */
  public LaunchSpec withChecks(InstanceChecks value) {
    return new LaunchSpec(command, env, workDir, http2, memoryMiB, cpuLimit, container, value);
  }

  /** Without limits. */
  public LaunchSpec(List<String> command, Map<String, String> env, Path workDir, boolean http2) {
    this(command, env, workDir, http2, OptionalLong.empty(), OptionalDouble.empty());
  }

  /** Instances spoken to over HTTP/1.1, without limits. */
  public LaunchSpec(List<String> command, Map<String, String> env, Path workDir) {
    this(command, env, workDir, false);
  }

  /** {@code options} with this plan's checks and limits: how its instances are supervised. */
  public SupervisorOptions supervise(SupervisorOptions options) {
    return limit(checks.applyTo(options));
  }

  /** {@code options} with this plan's limits. */
  public SupervisorOptions limit(SupervisorOptions options) {
    SupervisorOptions limited = options;
    if (memoryMiB.isPresent()) {
      limited = limited.withMemoryLimitMiB(memoryMiB.getAsLong());
    }
    if (cpuLimit.isPresent()) {
      limited = limited.withCpuLimit(cpuLimit.getAsDouble());
    }
    return limited;
  }
}
