package dev.pylon.runtime;

import java.time.Duration;

/**
 * How an {@link InstanceSet} supervises its instances.
 *
 * @param startTimeout how long an instance may take to accept connections before it is killed and
 *     counted as failed to start (Cloud Run's default startup limit is 240 s)
 * @param grace how long a stopped instance may take to exit after SIGTERM before SIGKILL (Cloud
 *     Run: 10 s)
 * @param readinessInterval how often a starting instance's port is tried
 * @param restartBackoff delays between restarts of an instance that keeps exiting
 * @param crashLoopAfter restarts in a row without staying up that make a crash loop
 * @param outputLines lines of output kept per instance for error reports
 * @param parentDeathSignal start instances with PR_SET_PDEATHSIG (via util-linux {@code setpriv})
 *     so they are killed if Pylon itself dies without stopping them
 */
public record SupervisorOptions(
    Duration startTimeout,
    Duration grace,
    Duration readinessInterval,
    RestartBackoff.Policy restartBackoff,
    int crashLoopAfter,
    int outputLines,
    boolean parentDeathSignal) {

  public static SupervisorOptions defaults() {
    return new SupervisorOptions(
        Duration.ofSeconds(240),
        Duration.ofSeconds(10),
        Duration.ofMillis(50),
        RestartBackoff.Policy.defaults(),
        3,
        40,
        true);
  }

  public SupervisorOptions withStartTimeout(Duration value) {
    return new SupervisorOptions(
        value,
        grace,
        readinessInterval,
        restartBackoff,
        crashLoopAfter,
        outputLines,
        parentDeathSignal);
  }

  public SupervisorOptions withGrace(Duration value) {
    return new SupervisorOptions(
        startTimeout,
        value,
        readinessInterval,
        restartBackoff,
        crashLoopAfter,
        outputLines,
        parentDeathSignal);
  }

  public SupervisorOptions withRestartBackoff(RestartBackoff.Policy value) {
    return new SupervisorOptions(
        startTimeout,
        grace,
        readinessInterval,
        value,
        crashLoopAfter,
        outputLines,
        parentDeathSignal);
  }
}
