package dev.pylon.autoscale;

/**
 * What the samples in a {@link MetricWindow} measure, and so what {@link ScalingPolicy#target()} is
 * counted in. The window and the algorithm are the same for each; only the unit differs.
 */
public enum ScalingMetric {
  /**
   * Requests in flight for the whole revision (queued ones included), averaged over each sample
   * period. Target: requests in flight per instance. Knative's default metric.
   */
  CONCURRENCY("in flight", 100),

  /** Requests per second for the whole revision. Target: requests per second per instance. */
  RPS("req/s", 200),

  /**
   * CPU the revision's instances use together, in cores (CPU seconds per second). Target: cores per
   * instance, already including the utilization (App Engine's {@code
   * cpu_utilization.target_utilization} x the instance's {@code resources.cpu}), so the policy's
   * utilization is 1.
   */
  CPU("cores", 0.5);

  private final String unit;
  private final double defaultTarget;

  ScalingMetric(String unit, double defaultTarget) {
    this.unit = unit;
    this.defaultTarget = defaultTarget;
  }

  /** How a value of this metric reads in a reason, e.g. "14.2 in flight". */
  public String unit() {
    return unit;
  }

  /**
   * Knative's default per-instance target: container-concurrency-target-default 100 and
   * requests-per-second-target-default 200; for CPU, App Engine's 0.5 of one core.
   */
  public double defaultTarget() {
    return defaultTarget;
  }
}
