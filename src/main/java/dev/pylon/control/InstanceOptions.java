package dev.pylon.control;

import dev.pylon.revision.Revision;
import dev.pylon.runtime.Sandbox;
import dev.pylon.runtime.SupervisorOptions;
import dev.pylon.spec.ServiceSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How the runtime supervises a service's instances: sandbox, grace, start timeout (the checks and
 * limits are the launch plan's, LaunchSpec#supervise).
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
    if (sandbox) {
      List<Path> readOnly = new ArrayList<>(List.of(revision.dir(), stateDir.resolve("lib")));
      revision.venv().ifPresent(readOnly::add);
      options = options.withSandbox(new Sandbox(List.of(stateDir), readOnly));
    }
    return options;
  }
}
