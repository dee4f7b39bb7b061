package dev.pylon.control.daemon;

import dev.pylon.autoscale.ScalingMetric;
import dev.pylon.autoscale.ScalingPolicies;
import dev.pylon.autoscale.ScalingPolicy;
import dev.pylon.spec.ServiceSpec;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * How many instances a service's revisions run, what the autoscaler measures, and how many requests
 * each instance takes at once.
 *
 * @param min instances kept running per serving revision; 0 lets an idle revision scale to zero
 * @param max the most instances per revision
 * @param concurrency requests one instance holds at once; 0 means unlimited. With the metric {@link
 *     ScalingMetric#CONCURRENCY} it is also the autoscaler's per-instance target (x 0.7)
 * @param metric what the autoscaler measures: {@link ScalingMetric#CONCURRENCY} (requests in flight
 *     and queued) or {@link ScalingMetric#CPU} (cores the revision's instances use)
 * @param cpuTarget with the metric CPU, the cores one instance should use (App Engine's {@code
 *     cpu_utilization.target_utilization} x {@code resources.cpu}); 0 otherwise
 * @param coolDown the service's own stable window (app.yaml {@code cool_down_period_sec}, or {@code
 *     pylon scale --cool-down}), 6 s to 1 h; empty: the daemon's {@code --stable-window}
 */
public record Scaling(
    int min,
    int max,
    int concurrency,
    ScalingMetric metric,
    double cpuTarget,
    Optional<Duration> coolDown) {

  /**
   * Cloud Run's defaults: scale to zero (min 0), 80 requests per instance, on requests in flight.
   * Max 10 is Pylon's, for one machine (Cloud Run allows 100).
   */
  public static final Scaling DEFAULT = new Scaling(0, 10, 80);

  public Scaling {
    Objects.requireNonNull(metric, "metric");
    Objects.requireNonNull(coolDown, "coolDown");
    if (min < 0 || max < 1 || min > max || concurrency < 0) {
      throw new IllegalArgumentException(
          "scaling needs 0 <= min <= max, max >= 1 and concurrency >= 0 (got min "
              + min
              + ", max "
              + max
              + ", concurrency "
              + concurrency
              + ")");
    }
    if (metric != ScalingMetric.CONCURRENCY && metric != ScalingMetric.CPU) {
      throw new IllegalArgumentException(
          "the daemon scales on concurrency or cpu, not " + name(metric));
    }
    if (metric == ScalingMetric.CPU && !(cpuTarget >= ScalingPolicy.TARGET_MIN)) {
      throw new IllegalArgumentException(
          "a CPU target must be at least "
              + ScalingPolicy.TARGET_MIN
              + " cores per instance (got "
              + cpuTarget
              + ")");
    }
    if (metric == ScalingMetric.CONCURRENCY) {
      cpuTarget = 0;
    }
    if (coolDown.isPresent()
        && (coolDown.get().compareTo(ScalingPolicy.MIN_STABLE_WINDOW) < 0
            || coolDown.get().compareTo(ScalingPolicy.MAX_STABLE_WINDOW) > 0)) {
      throw new IllegalArgumentException(
          "a cool-down must be from 6 s to 1 h (got " + coolDown.get().toSeconds() + " s)");
    }
  }

  /** Scaling on requests in flight with the daemon's stable window. */
  public Scaling(int min, int max, int concurrency) {
    this(min, max, concurrency, ScalingMetric.CONCURRENCY, 0, Optional.empty());
  }

  /**
   * What a deploy's spec declares as the service's scaling, or empty when it declares none (then
   * the service keeps what it has: Pylon's default, or `pylon scale`). app.yaml's automatic_scaling
   * / manual_scaling and service.yaml's autoscaling annotations declare it, as they do on App
   * Engine and Cloud Run. app.yaml's {@code cpu_utilization} (without {@code
   * target_concurrent_requests}) makes it scale on CPU, at that utilization of {@code
   * resources.cpu} per instance; a written {@code cool_down_period_sec} is its stable window
   * (clamped to 6 s .. 1 h), else the daemon's applies.
   */
  public static Optional<Scaling> declaredBy(ServiceSpec spec) {
    dev.pylon.spec.Scaling declared = spec.scaling();
    if (!declared.declared()) {
      return Optional.empty();
    }
    Scaling scaling =
        new Scaling(
            Math.min(declared.minInstances(), declared.maxInstances()),
            Math.max(1, declared.maxInstances()),
            spec.concurrency().maxPerInstance());
    if (declared.cpuTargetUtilization().isPresent() && spec.instances().isEmpty()) {
      scaling =
          scaling.onCpu(
              ScalingPolicies.cpuTarget(
                  declared.cpuTargetUtilization().getAsDouble(), spec.resources().cpu()));
    }
    if (declared.coolDownDeclared()) {
      scaling =
          scaling.withCoolDown(Optional.of(ScalingPolicies.clampStableWindow(declared.coolDown())));
    }
    return Optional.of(scaling);
  }

  /**
   * The autoscaler's policy for the service's revisions (the one mapping from a service's scaling
   * to a {@link ScalingPolicy}): its bounds; requests in flight with its concurrency as the target
   * at Knative's 0.7, or cores per instance at 1; its own cool-down as the stable window, else
   * {@code daemonStableWindow}; Knative's defaults for the rest.
   */
  public ScalingPolicy policy(Duration daemonStableWindow, Duration scaleToZeroGracePeriod) {
    ScalingPolicy.Builder b =
        ScalingPolicy.builder()
            .minScale(min)
            .maxScale(max)
            .stableWindow(coolDown.orElse(daemonStableWindow))
            .scaleToZeroGracePeriod(scaleToZeroGracePeriod)
            .decidedBy("the service's scaling: " + this);
    if (metric == ScalingMetric.CPU) {
      return b.metric(ScalingMetric.CPU).target(cpuTarget).targetUtilization(1).build();
    }
    return b.metric(ScalingMetric.CONCURRENCY)
        .target(concurrency > 0 ? concurrency : ScalingPolicy.DEFAULT_TARGET)
        .build();
  }

  /** The instance count a revision a deploy holds without traffic runs with. */
  public int instances() {
    return Math.min(max, Math.max(1, min));
  }

  /** The same bounds, on CPU: {@code cores} per instance. */
  public Scaling onCpu(double cores) {
    return new Scaling(min, max, concurrency, ScalingMetric.CPU, cores, coolDown);
  }

  /** The same bounds, on requests in flight. */
  public Scaling onConcurrency() {
    return new Scaling(min, max, concurrency, ScalingMetric.CONCURRENCY, 0, coolDown);
  }

  /** The same, with the service's own stable window (empty: the daemon's). */
  public Scaling withCoolDown(Optional<Duration> window) {
    return new Scaling(min, max, concurrency, metric, cpuTarget, window);
  }

  /** The metric as the API, the store and the CLI write it: "concurrency" or "cpu". */
  public String metricName() {
    return name(metric);
  }

  static String name(ScalingMetric metric) {
    return metric.name().toLowerCase(Locale.ROOT);
  }

  /** "concurrency" or "cpu" (any case) as a metric; empty for anything else. */
  static Optional<ScalingMetric> metricNamed(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "concurrency" -> Optional.of(ScalingMetric.CONCURRENCY);
      case "cpu" -> Optional.of(ScalingMetric.CPU);
      default -> Optional.empty();
    };
  }

  /** What one instance aims for, in words: "80 in flight" or "0.6 cores". */
  public String target() {
    return metric == ScalingMetric.CPU
        ? plain(cpuTarget) + " cores"
        : (concurrency > 0 ? Integer.toString(concurrency) : "100") + " in flight";
  }

  private static String plain(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.2f", v);
  }

  @Override
  public String toString() {
    return "min "
        + min
        + ", max "
        + max
        + ", concurrency "
        + concurrency
        + ", on "
        + metricName()
        + " (target "
        + target()
        + " per instance)"
        + coolDown.map(d -> ", cool-down " + d.toSeconds() + " s").orElse("");
  }
}
