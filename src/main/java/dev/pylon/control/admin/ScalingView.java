package dev.pylon.control.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;

/**
 * A service's scaling as {@code pylon services} and {@code pylon scale} show it.
 *
 * @param metric "concurrency" or "cpu"
 * @param cpuTarget cores per instance; only on the metric cpu
 * @param target what one instance aims for, in words: "80 in flight" or "0.60 cores"
 * @param coolDownSeconds the service's own stable window; absent: the daemon's
 */
public record ScalingView(
    int min,
    int max,
    int concurrency,
    String metric,
    @JsonInclude(Include.NON_NULL) Double cpuTarget,
    String target,
    @JsonInclude(Include.NON_NULL) Double coolDownSeconds) {

  /** The metric, "concurrency" when the daemon did not say. */
  public String metricOrDefault() {
    return metric == null ? "concurrency" : metric;
  }

  /** The cool-down in whole seconds, for people. */
  public long coolDownRounded() {
    return Math.round(coolDownSeconds);
  }
}
