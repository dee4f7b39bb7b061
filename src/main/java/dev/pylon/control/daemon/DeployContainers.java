package dev.pylon.control.daemon;

import dev.pylon.control.ContainerMode;
import dev.pylon.control.RunFailure;
import dev.pylon.revision.BuildProgress;
import dev.pylon.spec.ServiceSpec;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code pylon deploy --container}: the engine, found on the daemon's host before anything is
 * built, and the image, built the way {@code pylon run --container} builds it ({@link
 * ContainerMode#image}) unless the deploy names one.
 */
final class DeployContainers {
  private DeployContainers() {}

  /** Empty for a process deploy; a host without an engine is refused before any work starts. */
  static Optional<ContainerMode> mode(DeployRequest request) throws AdminError {
    return mode(request, System.getenv("PATH"));
  }

  /** {@link #mode(DeployRequest)} with the engine looked for on {@code path}. */
  static Optional<ContainerMode> mode(DeployRequest request, String path) throws AdminError {
    if (!request.container()) {
      return Optional.empty();
    }
    return Optional.of(
        new ContainerMode(
            ContainerMode.findEngine(path)
                .orElseThrow(
                    () ->
                        AdminError.invalid(
                            ContainerMode.NO_ENGINE,
                            "nothing that was serving changed; install an engine on the"
                                + " daemon's host, or deploy without --container")),
            request.image()));
  }

  /** {@code launch} as containers of the mode's image (built now if none was named). */
  static LaunchSpec plan(
      LaunchSpec launch,
      Optional<ContainerMode> mode,
      ServiceSpec spec,
      Path stateDir,
      BuildProgress progress)
      throws AdminError {
    if (mode.isEmpty()) {
      return launch;
    }
    try {
      String image = mode.get().image(spec, stateDir, progress);
      progress.step("Instances are containers of " + image + " (" + mode.get().engine() + ")");
      return launch.inContainers(new ContainerImage(mode.get().engine().executable(), image));
    } catch (RunFailure e) {
      throw AdminError.appFailed(
          e.getMessage().lines().findFirst().orElse("the image cannot be built"),
          "nothing that was serving changed; fix the app (or its Dockerfile) and deploy again",
          e.getMessage().lines().skip(1).map(String::strip).toList());
    }
  }
}
