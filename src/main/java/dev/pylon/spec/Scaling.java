package dev.pylon.spec;

import java.time.Duration;
import java.util.OptionalDouble;

/**
 * How many instances the autoscaler may run, and what it aims for.
 *
 * @param minInstances never fewer (0 allows scale to zero)
 * @param maxInstances never more
 * @param targetConcurrency in-flight requests per instance the autoscaler aims for
 * @param targetUtilization fraction of {@code targetConcurrency} to aim for (0 to 1]; for an
 *     app.yaml with {@code cpu_utilization} it is that utilization (what a Kubernetes export's CPU
 *     target is)
 * @param coolDown how long a new instance runs before its load counts (App Engine's {@code
 *     cool_down_period_sec}); also the delay before scaling down
 * @param decidedBy which file decided, in words
 * @param cpuTargetUtilization app.yaml's {@code cpu_utilization.target_utilization} when it is the
 *     metric to scale on: present only when {@code target_concurrent_requests} is not also given
 *     (then requests in flight win)
 * @param coolDownDeclared whether a file wrote the cool-down ({@code cool_down_period_sec}) rather
 *     than it being a default; only a written one overrides a daemon's own stable window
 * @param declared whether the app's files chose this scaling (app.yaml, service.yaml's autoscaling
 *     annotations, a fixed instance count) rather than it being Cloud Run's defaults: a declared
 *     scaling becomes a daemon's service's scaling on deploy, the defaults leave the service's own
 */
public record Scaling(
    int minInstances,
    int maxInstances,
    double targetConcurrency,
    double targetUtilization,
    Duration coolDown,
    String decidedBy,
    OptionalDouble cpuTargetUtilization,
    boolean coolDownDeclared,
    boolean declared) {

  /** A scaling a file declared. */
  public Scaling(
      int minInstances,
      int maxInstances,
      double targetConcurrency,
      double targetUtilization,
      Duration coolDown,
      String decidedBy,
      OptionalDouble cpuTargetUtilization,
      boolean coolDownDeclared) {
    this(
        minInstances,
        maxInstances,
        targetConcurrency,
        targetUtilization,
        coolDown,
        decidedBy,
        cpuTargetUtilization,
        coolDownDeclared,
        true);
  }

  /** A declared scaling on requests in flight, with a default cool-down. */
  public Scaling(
      int minInstances,
      int maxInstances,
      double targetConcurrency,
      double targetUtilization,
      Duration coolDown,
      String decidedBy) {
    this(
        minInstances,
        maxInstances,
        targetConcurrency,
        targetUtilization,
        coolDown,
        decidedBy,
        OptionalDouble.empty(),
        false,
        true);
  }
}
