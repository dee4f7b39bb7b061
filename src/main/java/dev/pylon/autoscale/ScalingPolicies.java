package dev.pylon.autoscale;

import java.time.Duration;

/**
 * App Engine's scaling words in a {@link ScalingPolicy}'s terms. The spec readers parse app.yaml
 * and service.yaml; the daemon's service scaling ({@code control.daemon.Scaling}) is the one
 * mapping onto a policy and uses these:
 *
 * <ul>
 *   <li>{@code cpu_utilization.target_utilization} (without {@code target_concurrent_requests}):
 *       metric {@link ScalingMetric#CPU}, target = utilization x the instance's {@code
 *       resources.cpu} cores, utilization 1 ({@link #cpuTarget}).
 *   <li>{@code cool_down_period_sec} (App Engine: at least 60 s, default 120 s; how long a new
 *       instance's load is not trusted): the stable window, clamped to Knative's 6 s to 1 h ({@link
 *       #clampStableWindow}).
 * </ul>
 */
public final class ScalingPolicies {
  private ScalingPolicies() {}

  /**
   * The CPU target of one instance in cores: App Engine's {@code target_utilization} of its {@code
   * resources.cpu}, at least {@link ScalingPolicy#TARGET_MIN}.
   */
  public static double cpuTarget(double utilization, double cpuPerInstance) {
    return Math.max(ScalingPolicy.TARGET_MIN, utilization * cpuPerInstance);
  }

  /**
   * A stable window within Knative's bounds, 6 s to 1 h (App Engine's {@code cool_down_period_sec}
   * and a service's cool-down on the daemon are clamped so).
   */
  public static Duration clampStableWindow(Duration d) {
    if (d.compareTo(ScalingPolicy.MIN_STABLE_WINDOW) < 0) {
      return ScalingPolicy.MIN_STABLE_WINDOW;
    }
    if (d.compareTo(ScalingPolicy.MAX_STABLE_WINDOW) > 0) {
      return ScalingPolicy.MAX_STABLE_WINDOW;
    }
    return d;
  }
}
