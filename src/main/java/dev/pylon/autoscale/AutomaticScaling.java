package dev.pylon.autoscale;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * An app.yaml {@code automatic_scaling} section as written: each key empty when the file leaves it
 * out. {@link ScalingPolicies#fromAutomaticScaling} fills the gaps with App Engine's defaults.
 *
 * @param minNumInstances {@code min_num_instances}
 * @param maxNumInstances {@code max_num_instances}
 * @param coolDownPeriod {@code cool_down_period_sec}
 * @param targetConcurrentRequests {@code target_concurrent_requests}
 * @param cpuTargetUtilization {@code cpu_utilization.target_utilization}, a fraction (0, 1]
 */
public record AutomaticScaling(
    OptionalInt minNumInstances,
    OptionalInt maxNumInstances,
    Optional<Duration> coolDownPeriod,
    OptionalDouble targetConcurrentRequests,
    OptionalDouble cpuTargetUtilization) {

  /** A section with no keys: App Engine's defaults throughout. */
  public static final AutomaticScaling EMPTY =
      new AutomaticScaling(
          OptionalInt.empty(),
          OptionalInt.empty(),
          Optional.empty(),
          OptionalDouble.empty(),
          OptionalDouble.empty());
}
