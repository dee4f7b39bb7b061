package dev.pylon.runtime;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

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
 *     reports OOMKilled: enforced by the kernel in a cgroup of the instance's own where {@link
 *     CgroupSupport#detect()} finds one can be made (and {@code cgroups} is on); otherwise Pylon
 *     says so once and watches resident memory from {@code /proc} every 250 ms
 * @param cpuLimit if positive, CPU time an instance may use, in cores (e.g. 0.5), enforced with a
 *     cgroup's CFS quota where one can be made; otherwise not enforced (said once)
 * @param cgroups whether to use cgroups for the limits at all (off: the resident-memory watch)
 * @param shim run each instance under its own supervisor ({@code pylon_shim.py}, {@link
 *     ShimInstance}) instead of with a parent-death signal: it outlives Pylon, keeps its output in
 *     files under {@code runDir} and records its exit, so a later Pylon adopts it (needs {@code
 *     runDir}; {@code pylon server} uses it, {@code pylon run} does not)
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
    long memoryLimitMiB,
    double cpuLimit,
    boolean cgroups,
    boolean shim) {

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
        0,
        0,
        true,
        false);
  }

  public SupervisorOptions withStartTimeout(Duration value) {
    return edit(b -> b.startTimeout = value);
  }

  public SupervisorOptions withGrace(Duration value) {
    return edit(b -> b.grace = value);
  }

  public SupervisorOptions withStartup(Probe value) {
    return edit(b -> b.startup = Optional.of(value));
  }

  public SupervisorOptions withReadiness(Probe value) {
    return edit(b -> b.readiness = value);
  }

  public SupervisorOptions withLiveness(Probe value) {
    return edit(b -> b.liveness = Optional.of(value));
  }

  public SupervisorOptions withRestartBackoff(RestartBackoff.Policy value) {
    return edit(b -> b.restartBackoff = value);
  }

  public SupervisorOptions withParentDeathSignal(boolean value) {
    return edit(b -> b.parentDeathSignal = value);
  }

  /** Instances under a shim that outlives Pylon (see {@code shim}); needs a run directory. */
  public SupervisorOptions withShim(boolean value) {
    return edit(b -> b.shim = value);
  }

  public SupervisorOptions withRunDir(Path value) {
    return edit(b -> b.runDir = Optional.of(value));
  }

  public SupervisorOptions withSandbox(Sandbox value) {
    return edit(b -> b.sandbox = Optional.of(value));
  }

  public SupervisorOptions withMemoryLimitMiB(long value) {
    return edit(b -> b.memoryLimitMiB = value);
  }

  public SupervisorOptions withCpuLimit(double cores) {
    return edit(b -> b.cpuLimit = cores);
  }

  public SupervisorOptions withCgroups(boolean value) {
    return edit(b -> b.cgroups = value);
  }

  private SupervisorOptions edit(Consumer<Fields> change) {
    Fields f = new Fields(this);
    change.accept(f);
    return f.build();
  }

  /** The record's components, changeable, so each {@code with...} names only what it changes. */
  private static final class Fields {
    Duration startTimeout;
    Duration grace;
    Duration readinessInterval;
    Optional<Probe> startup;
    Probe readiness;
    Optional<Probe> liveness;
    RestartBackoff.Policy restartBackoff;
    int crashLoopAfter;
    int outputLines;
    boolean parentDeathSignal;
    Optional<Path> runDir;
    Optional<Sandbox> sandbox;
    long memoryLimitMiB;
    double cpuLimit;
    boolean cgroups;
    boolean shim;

    Fields(SupervisorOptions o) {
      startTimeout = o.startTimeout;
      grace = o.grace;
      readinessInterval = o.readinessInterval;
      startup = o.startup;
      readiness = o.readiness;
      liveness = o.liveness;
      restartBackoff = o.restartBackoff;
      crashLoopAfter = o.crashLoopAfter;
      outputLines = o.outputLines;
      parentDeathSignal = o.parentDeathSignal;
      runDir = o.runDir;
      sandbox = o.sandbox;
      memoryLimitMiB = o.memoryLimitMiB;
      cpuLimit = o.cpuLimit;
      cgroups = o.cgroups;
      shim = o.shim;
    }

    SupervisorOptions build() {
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
          memoryLimitMiB,
          cpuLimit,
          cgroups,
          shim);
    }
  }
}
