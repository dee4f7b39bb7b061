package dev.pylon.spec;

/**
 * The health checks of each instance.
 *
 * @param readiness decides when an instance gets traffic, and stops traffic while it fails
 * @param liveness restarts an instance that fails it
 */
public record Probes(Probe readiness, Probe liveness) {}
