package dev.pylon.control;

import dev.pylon.revision.EnvironmentRequest;
import dev.pylon.revision.RevisionRequest;
import dev.pylon.spec.AppTarget;
import dev.pylon.spec.ServiceSpec;
import java.util.List;
import java.util.Optional;

/** Turns a spec into what the build part makes a revision from. */
public final class RevisionRequests {
  private RevisionRequests() {}

  /**
   * @param preStart a {@code --pre-start} command, which wins over the Procfile's {@code release:}
   */
  public static RevisionRequest of(
      ServiceSpec spec, boolean systemSitePackages, Optional<String> preStart) {
    EnvironmentRequest environment =
        new EnvironmentRequest(
            spec.python().executable(),
            spec.python().version(),
            spec.sourceDir(),
            spec.dependencies().files(),
            systemSitePackages);
    // What changes how an instance starts makes a new revision, as a new image would.
    List<String> identity =
        List.of(
            "server=" + spec.server().displayCommand(),
            "threads=" + spec.threads(),
            "app=" + spec.app().map(AppTarget::reference).orElse(""));
    return new RevisionRequest(
        spec.name(),
        spec.sourceDir(),
        environment,
        preStart.or(spec::preStart),
        spec.env(),
        identity);
  }
}
