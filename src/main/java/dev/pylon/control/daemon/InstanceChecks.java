package dev.pylon.control.daemon;

import dev.pylon.runtime.Probe;
import dev.pylon.runtime.SupervisorOptions;
import dev.pylon.spec.ServerCommand;
import dev.pylon.spec.ServiceSpec;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The checks a revision's instances are watched with, decided once from the service's spec and kept
 * in its launch plan, so {@code pylon run}, {@code pylon server} and a restarted daemon watch the
 * same instance the same way. Empty checks leave the runtime's defaults (a TCP connect for
 * readiness, no liveness check).
 *
 * @param startup passes once the app is loaded; empty: readiness alone decides the start
 * @param readiness the user's readiness check (app.yaml's {@code readiness_check}, a Knative
 *     readiness probe)
 * @param liveness the user's liveness check; an instance failing it is restarted
 * @param startTimeout how long the spec lets an instance take to get ready (app.yaml's {@code
 *     app_start_timeout_sec}); empty: the daemon's own
 */
public record InstanceChecks(
    Optional<Probe> startup,
    Optional<Probe> readiness,
    Optional<Probe> liveness,
    Optional<Duration> startTimeout) {
  /** The runtime's defaults. */
  public static final InstanceChecks DEFAULTS =
      new InstanceChecks(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

  public InstanceChecks {
    Objects.requireNonNull(startup, "startup");
    Objects.requireNonNull(readiness, "readiness");
    Objects.requireNonNull(liveness, "liveness");
    Objects.requireNonNull(startTimeout, "startTimeout");
  }

  /** The checks {@code spec} declares, and the start-up check its server needs. */
  public static InstanceChecks of(ServiceSpec spec) {
    Optional<Probe> readiness = httpProbe(spec.probes().readiness());
    Optional<Probe> startup = Optional.empty();
    if (readiness.isEmpty() && listensBeforeTheAppLoads(spec.server().kind())) {
      // gunicorn's master accepts connections before its worker has imported the app: only an
      // answer from the worker shows the app is there (and an import error then fails the
      // start). The check is one the server answers itself, so no request reaches the app.
      startup = Optional.of(Probe.serverAnswers());
    }
    return new InstanceChecks(
        startup,
        readiness,
        httpProbe(spec.probes().liveness()),
        Optional.of(spec.probes().readiness().startTimeout()));
  }

  /**
   * The start timeout an instance gets under a daemon that waits {@code daemonLimit} for a
   * revision: the spec's when it is shorter, so the instance's own failure (which names the check
   * and its last answer) comes before the daemon gives up.
   */
  public Duration startTimeoutWithin(Duration daemonLimit) {
    return startTimeout.filter(spec -> spec.compareTo(daemonLimit) < 0).orElse(daemonLimit);
  }

  /** {@code options} watching with these checks. */
  public SupervisorOptions applyTo(SupervisorOptions options) {
    SupervisorOptions checked = options;
    if (startup.isPresent()) {
      checked = checked.withStartup(startup.get());
    }
    if (readiness.isPresent()) {
      checked = checked.withReadiness(readiness.get()); // the user's check, from the start
    }
    if (liveness.isPresent()) {
      checked = checked.withLiveness(liveness.get());
    }
    return checked;
  }

  private static boolean listensBeforeTheAppLoads(ServerCommand.Kind kind) {
    return kind == ServerCommand.Kind.GUNICORN || kind == ServerCommand.Kind.ENTRYPOINT;
  }

  /** A configured HTTP check; an unconfigured one stays the runtime's TCP default. */
  private static Optional<Probe> httpProbe(dev.pylon.spec.Probe configured) {
    return configured
        .httpPath()
        .map(
            path ->
                Probe.http(path)
                    .withPeriod(configured.period())
                    .withTimeout(configured.timeout())
                    .withInitialDelay(configured.initialDelay())
                    .withThresholds(configured.successThreshold(), configured.failureThreshold()));
  }
}
