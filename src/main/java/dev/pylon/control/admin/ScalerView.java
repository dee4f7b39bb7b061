package dev.pylon.control.admin;

/**
 * What the autoscaler wants for one revision ({@code GET /v1/scalers}).
 *
 * @param metric "concurrency" or "cpu"
 * @param targetPerInstance what one instance should carry, in {@code unit}
 * @param mode which rule decided last; empty before the first decision
 * @param reason the last decision in words
 */
public record ScalerView(
    String revision,
    String service,
    int ready,
    int desired,
    String metric,
    double targetPerInstance,
    String unit,
    double stableWindowSeconds,
    String mode,
    String reason) {}
