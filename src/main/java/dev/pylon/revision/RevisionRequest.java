package dev.pylon.revision;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a revision is built from.
 *
 * @param service the service name (lowercase letters, digits, hyphens)
 * @param appDir the source folder
 * @param environment the Python environment the revision needs
 * @param preStartCommand a shell command run once before any instance starts ({@code release:} or
 *     {@code --pre-start}); empty for none
 * @param variables the revision's environment variables; the pre-start step gets them, and they are
 *     part of the revision id (a changed variable is a new revision, as on Cloud Run)
 * @param configIdentity other configuration that should make a new revision when it changes
 *     (entrypoint, server settings...), in any stable textual form
 */
public record RevisionRequest(
    String service,
    Path appDir,
    EnvironmentRequest environment,
    Optional<String> preStartCommand,
    Map<String, String> variables,
    List<String> configIdentity) {

  public RevisionRequest {
    Objects.requireNonNull(service, "service");
    appDir = appDir.toAbsolutePath().normalize();
    Objects.requireNonNull(environment, "environment");
    Objects.requireNonNull(preStartCommand, "preStartCommand");
    variables = Map.copyOf(variables);
    configIdentity = List.copyOf(configIdentity);
  }
}
