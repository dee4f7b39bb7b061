/**
 * Autoscaling as Knative's KPA does it, as a pure policy over a window of samples.
 *
 * <p>{@link dev.pylon.autoscale.MetricWindow} keeps per-second buckets of one revision's load and
 * answers {@link dev.pylon.autoscale.WindowStats} (stable and panic averages). {@link
 * dev.pylon.autoscale.Autoscaler#decide} turns those, the ready instance count and the previous
 * {@link dev.pylon.autoscale.ScalerState} into a {@link dev.pylon.autoscale.Decision}: no clock, no
 * threads, no I/O. {@link dev.pylon.autoscale.ScalingPolicies} maps app.yaml and Knative
 * annotations onto a {@link dev.pylon.autoscale.ScalingPolicy}; {@link dev.pylon.autoscale.Scaler}
 * is the plumbing that feeds samples in and pushes decisions out once a second. Imports only {@code
 * dev.pylon.spec}.
 */
package dev.pylon.autoscale;
