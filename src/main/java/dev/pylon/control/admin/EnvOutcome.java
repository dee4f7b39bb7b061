package dev.pylon.control.admin;

/**
 * What {@code POST /v1/services/NAME/env} answers: the revision it made with the new variables, or
 * the service when it has no revision to remake yet.
 */
public sealed interface EnvOutcome permits DeployView, EnvOutcome.Unchanged {
  /** The variables are stored; the service had no ready revision to make anew. */
  record Unchanged(ServiceView service) implements EnvOutcome {}
}
