package dev.pylon.control.daemon;

import dev.pylon.autoscale.ScalingMetric;
import java.time.Duration;

/**
 * What the autoscaler wants for one serving revision, for {@code pylon instances}.
 *
 * @param revision the revision's id
 * @param service its service
 * @param ready instances ready to serve now
 * @param desired instances the autoscaler wants
 * @param metric what it measures
 * @param targetPerInstance what one instance should carry, in the metric's unit (after utilization)
 * @param stableWindow the window it averages over
 * @param mode which rule decided last ("stable", "panic", "idle", "zero", "pinned", "no_data"), or
 *     empty before the first decision
 * @param reason the last decision in words, with its numbers
 */
public record RevisionScale(
    String revision,
    String service,
    int ready,
    int desired,
    ScalingMetric metric,
    double targetPerInstance,
    Duration stableWindow,
    String mode,
    String reason) {}
