package dev.pylon.runtime;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * How an {@link InstanceSet} supervises its instances. Start from {@link #defaults()} and change
 * what differs with the {@code with...} methods.
 *
 * @param startTimeout how long an instance may take to pass its readiness probe before it is killed
 *     and counted as failed to start (Cloud Run's default startup limit is 240 s)
 * @param grace how long a stopped instance may take to exit after SIGTERM before SIGKILL (Cloud
 *     Run: 10 s)
 * @param readinessInterval how often a starting instance is probed until it first passes
 * @param startup the probe used while starting instead of {@code readiness}, if present (as
 *     Kubernetes' startupProbe); e.g. {@link Probe#answersHttp} for gunicorn
 * @param readiness the readiness probe: used while starting (every {@code readinessInterval}), then
 *     every {@code readiness.period()}; failing it takes the instance out of the ready list until
 *     it passes again (default: TCP)
 * @param liveness the liveness probe, if any: failing it restarts the instance (default: none)
 * @param restartBackoff delays between restarts of an instance that keeps exiting
 * @param crashLoopAfter exits in a row without staying up that make a crash loop
 * @param outputLines lines of output kept per instance for error reports
 * @param parentDeathSignal start instances with PR_SET_PDEATHSIG (via util-linux {@code setpriv})
 *     so they are killed if Pylon itself dies without stopping them
 * @param runDir if present, a directory where each running instance has a pid file, so that a Pylon
 *     that was killed can end what is left of its instances next time ({@link
 *     StrayInstances#endAll})
 * @param sandbox if present, run each instance under bubblewrap ({@link Sandbox})
 * @param memoryLimitMiB if positive, an instance whose processes together hold more resident memory
 *     than this is killed and reported as "killed: memory limit (N MiB)", the way Kubernetes
 *     reports OOMKilled (watched every 250 ms from {@code /proc}; no cgroup is made)
 */
public record SupervisorOptions(
    Duration startTimeout,
    Duration grace,
    Duration readinessInterval,
    Optional<Probe> startup,
    Probe readiness,
    Optional<Probe> liveness,
    RestartBackoff.Policy restartBackoff,
    int crashLoopAfter,
    int outputLines,
    boolean parentDeathSignal,
    Optional<Path> runDir,
    Optional<Sandbox> sandbox,
    long memoryLimitMiB) {

  public static SupervisorOptions defaults() {
    return new SupervisorOptions(
        Duration.ofSeconds(240),
        Duration.ofSeconds(10),
        Duration.ofMillis(50),
        Optional.empty(),
        Probe.tcp(),
        Optional.empty(),
        RestartBackoff.Policy.defaults(),
        3,
        40,
        true,
        Optional.empty(),
        Optional.empty(),
        0);
  }

  public SupervisorOptions withStartTimeout(Duration value) {
    return new SupervisorOptions(
        value,
        grace,
        readinessInterval,
        startup,
        readiness,
        liveness,
        restartBackoff,
        crashLoopAfter,
        outputLines,
        parentDeathSignal,
        runDir,
        sandbox,
        memoryLimitMiB);
  }

  public SupervisorOptions withGrace(Duration value) {
    return new SupervisorOptions(
        startTimeout,
        value,
        readinessInterval,
        startup,
        readiness,
        liveness,
        restartBackoff,
        crashLoopAfter,
        outputLines,
        parentDeathSignal,
        runDir,
        sandbox,
        memoryLimitMiB);
  }

  public SupervisorOptions withStartup(Probe value) {
    return new SupervisorOptions(
        startTimeout,
        grace,
        readinessInterval,
        Optional.of(value),
        readiness,
        liveness,
        restartBackoff,
        crashLoopAfter,
        outputLines,
        parentDeathSignal,
        runDir,
        sandbox,
        memoryLimitMiB);
  }

  public SupervisorOptions withReadiness(Probe value) {
    return new SupervisorOptions(
        startTimeout,
        grace,
        readinessInterval,
        startup,
        value,
        liveness,
        restartBackoff,
        crashLoopAfter,
        outputLines,
        parentDeathSignal,
        runDir,
        sandbox,
        memoryLimitMiB);
  }

  public SupervisorOptions withLiveness(Probe value) {
    return new SupervisorOptions(
        startTimeout,
        grace,
        readinessInterval,
        startup,
        readiness,
        Optional.of(value),
        restartBackoff,
        crashLoopAfter,
        outputLines,
        parentDeathSignal,
        runDir,
        sandbox,
        memoryLimitMiB);
  }

  public SupervisorOptions withRestartBackoff(RestartBackoff.Policy value) {
    return new SupervisorOptions(
        startTimeout,
        grace,
        readinessInterval,
        startup,
        readiness,
        liveness,
        value,
        crashLoopAfter,
        outputLines,
        parentDeathSignal,
        runDir,
        sandbox,
        memoryLimitMiB);
  }

  public SupervisorOptions withParentDeathSignal(boolean value) {
    return new SupervisorOptions(
        startTimeout,
        grace,
        readinessInterval,
        startup,
        readiness,
        liveness,
        restartBackoff,
        crashLoopAfter,
        outputLines,
        value,
        runDir,
        sandbox,
        memoryLimitMiB);
  }

  public SupervisorOptions withRunDir(Path value) {
    return new SupervisorOptions(
        startTimeout,
        grace,
        readinessInterval,
        startup,
        readiness,
        liveness,
        restartBackoff,
        crashLoopAfter,
        outputLines,
        parentDeathSignal,
        Optional.of(value),
        sandbox,
        memoryLimitMiB);
  }

  public SupervisorOptions withSandbox(Sandbox value) {
    return new SupervisorOptions(
        startTimeout,
        grace,
        readinessInterval,
        startup,
        readiness,
        liveness,
        restartBackoff,
        crashLoopAfter,
        outputLines,
        parentDeathSignal,
        runDir,
        Optional.of(value),
        memoryLimitMiB);
  }

  public SupervisorOptions withMemoryLimitMiB(long value) {
    return new SupervisorOptions(
        startTimeout,
        grace,
        readinessInterval,
        startup,
        readiness,
        liveness,
        restartBackoff,
        crashLoopAfter,
        outputLines,
        parentDeathSignal,
        runDir,
        sandbox,
        value);
  }
}
