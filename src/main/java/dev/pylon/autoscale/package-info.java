/**
 * Autoscaling as Knative's KPA does it, as a pure policy over a window of samples.
 *
 * <p>{@link dev.pylon.autoscale.MetricWindow} keeps per-second buckets of one revision's load and
 * answers {@link dev.pylon.autoscale.WindowStats} (stable and panic averages; plain averages, as
 * Knative's default "linear" aggregation, not its opt-in weighted-exponential one). {@link
 * dev.pylon.autoscale.Autoscaler#decide} turns those, the ready instance count and the previous
 * {@link dev.pylon.autoscale.ScalerState} into a {@link dev.pylon.autoscale.Decision}: no clock, no
 * threads, no I/O. A {@link dev.pylon.autoscale.ScalingPolicy} is built by its caller (the daemon
 * maps a service's scaling onto one); {@link dev.pylon.autoscale.ScalingPolicies} has App Engine's
 * conversions; {@link dev.pylon.autoscale.Scaler} is the plumbing that feeds samples in and pushes
 * decisions out once a second. Imports nothing else of Pylon.
 *
 * <p>Wiring, for one revision:
 *
 * <pre>{@code
 * Scaler scaler = new Scaler(Clock.systemUTC(),
 *     (revision, metric) -> router.inFlight(),          // queued requests included
 *     revision -> supervisor.readyCount(),
 *     (revision, decision) -> supervisor.scaleTo(decision.desiredInstances()));
 * ScalingPolicy policy = ScalingPolicy.builder().minScale(0).maxScale(10).build();
 * scaler.register(revisionName, policy);                // start policy.startingInstances()
 * scaler.start();
 * }</pre>
 */
package dev.pylon.autoscale;
