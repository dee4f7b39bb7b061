package dev.pylon.control;

import dev.pylon.revision.Revision;
import dev.pylon.runtime.Probe;
import dev.pylon.runtime.Sandbox;
import dev.pylon.runtime.SupervisorOptions;
import dev.pylon.spec.ServerCommand;
import dev.pylon.spec.ServiceSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How the runtime watches a service's instances: probes, sandbox, grace (the limits are the launch
 * plan's, LaunchSpec#limit).
 */
final class InstanceOptions {
  private InstanceOptions() {}

  static SupervisorOptions of(
      ServiceSpec spec,
      Revision revision,
      Path stateDir,
      Optional<Duration> startTimeout,
      Duration grace,
      boolean sandbox) {
    SupervisorOptions options =
        SupervisorOptions.defaults()
            .withStartTimeout(startTimeout.orElse(spec.probes().readiness().startTimeout()))
            .withGrace(grace)
            .withRunDir(stateDir.resolve("run"));
    Optional<Probe> readiness = httpProbe(spec.probes().readiness());
    if (readiness.isPresent()) {
      options = options.withReadiness(readiness.get()); // the user's check, from the start
    } else if (listensBeforeTheAppLoads(spec.server().kind())) {
      // gunicorn's master accepts connections before its worker has imported the app: only an
      // answer from the worker shows the app is there (and an import error then fails the
      // start). The check is one the server answers itself, so no request reaches the app.
      options = options.withStartup(Probe.serverAnswers());
    }
    Optional<Probe> liveness = httpProbe(spec.probes().liveness());
    if (liveness.isPresent()) {
      options = options.withLiveness(liveness.get());
    }
    if (sandbox) {
      List<Path> readOnly = new ArrayList<>(List.of(revision.dir(), stateDir.resolve("lib")));
      revision.venv().ifPresent(readOnly::add);
      options = options.withSandbox(new Sandbox(List.of(stateDir), readOnly));
    }
    return options;
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
