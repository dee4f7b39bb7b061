/**
 * Autoscaling as Knative's KPA does it, as a pure policy over a window of samples.
 *
 * <p>{@link dev.pylon.autoscale.MetricWindow} keeps per-second buckets of one revision's load and
 * answers {@link dev.pylon.autoscale.WindowStats} (stable and panic averages; plain averages, as
 * Knative's default "linear" aggregation, not its opt-in weighted-exponential one). {@link
 * dev.pylon.autoscale.Autoscaler#decide} turns those, the ready instance count and the previous
 * {@link dev.pylon.autoscale.ScalerState} into a {@link dev.pylon.autoscale.Decision}: no clock, no
 * threads, no I/O. {@link dev.pylon.autoscale.ScalingPolicies} maps app.yaml and Knative
 * annotations onto a {@link dev.pylon.autoscale.ScalingPolicy}; {@link dev.pylon.autoscale.Scaler}
 * is the plumbing that feeds samples in and pushes decisions out once a second. Imports only {@code
 * dev.pylon.spec}.
 *
 * <p>Wiring, for one revision in {@code pylon run}:
 *
 * <pre>{@code
 * Scaler scaler = new Scaler(Clock.systemUTC(),
 *     (revision, metric) -> router.inFlight(),          // queued requests included
 *     revision -> supervisor.readyCount(),
 *     (revision, decision) -> supervisor.scaleTo(decision.desiredInstances()));
 * ScalingPolicy policy = ScalingPolicies.fromSpec(spec);
 * scaler.register(revisionName, policy);                // start policy.startingInstances()
 * scaler.start();
 * }</pre>
 */
package dev.pylon.autoscale;
