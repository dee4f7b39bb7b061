package dev.pylon.autoscale;

import dev.pylon.spec.Concurrency;
import dev.pylon.spec.Defaults;
import dev.pylon.spec.Scaling;
import dev.pylon.spec.ServiceSpec;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps what users write (app.yaml {@code automatic_scaling} / {@code manual_scaling}, Knative
 * {@code autoscaling.knative.dev/*} annotations, or a {@link ServiceSpec}) onto a {@link
 * ScalingPolicy}.
 *
 * <p>App Engine to KPA, key by key:
 *
 * <ul>
 *   <li>{@code min_num_instances} / {@code max_num_instances}: minScale / maxScale (App Engine
 *       defaults 2 and 20).
 *   <li>{@code cool_down_period_sec} (App Engine: at least 60 s, default 120 s; how long a new
 *       instance's load is not trusted): the stable window, clamped to Knative's 6 s to 1 h. Load
 *       is judged over that long before the count goes down, and a new instance's warm-up is
 *       averaged away rather than acted on.
 *   <li>{@code target_concurrent_requests}: metric {@link ScalingMetric#CONCURRENCY}, target = the
 *       value, utilization 1 (App Engine aims at the number itself, without Knative's 70%).
 *   <li>{@code cpu_utilization.target_utilization} (without {@code target_concurrent_requests}):
 *       metric {@link ScalingMetric#CPU}, target = utilization x the instance's {@code
 *       resources.cpu} cores, utilization 1. Samples must then be the revision's CPU use in cores.
 *       With both keys, concurrency wins (the router measures it for every revision) and the CPU
 *       target is reported as ignored.
 *   <li>neither: concurrency with Cloud Run's 80 per instance and Knative's 0.7. (App Engine itself
 *       would scale on 50% CPU; Pylon measures requests in flight for every revision, CPU only when
 *       asked.)
 *   <li>{@code manual_scaling.instances: N}: minScale = maxScale = N, no autoscaling.
 * </ul>
 */
public final class ScalingPolicies {
  private ScalingPolicies() {}

  private static final String KN = "autoscaling.knative.dev/";

  /**
   * From what the spec package read: a fixed {@code instances} count pins the policy; otherwise
   * {@link Scaling}'s bounds and targets, with the target capped at the per-instance request cap as
   * Knative does. The spec's {@code coolDown} becomes the stable window (Cloud Run's is 60 s). A
   * {@link Scaling#cpuTargetUtilization()} (app.yaml {@code cpu_utilization} without {@code
   * target_concurrent_requests}) makes the metric {@link ScalingMetric#CPU}, with target =
   * utilization x the instance's {@code resources.cpu} cores.
   */
  public static ScalingPolicy fromSpec(ServiceSpec spec) {
    return fromSpec(spec.scaling(), spec.concurrency(), spec.instances(), spec.resources().cpu());
  }

  /** {@link #fromSpec(ServiceSpec)} from its parts, for an instance of one core. */
  public static ScalingPolicy fromSpec(
      Scaling scaling, Concurrency concurrency, OptionalInt instances) {
    return fromSpec(scaling, concurrency, instances, Defaults.GAE_CPU);
  }

  /** {@link #fromSpec(ServiceSpec)} from its parts; {@code cpuPerInstance} is resources.cpu. */
  public static ScalingPolicy fromSpec(
      Scaling scaling, Concurrency concurrency, OptionalInt instances, double cpuPerInstance) {
    if (instances.isPresent()) {
      return fromManualScaling(instances.getAsInt()).toBuilder()
          .decidedBy(scaling.decidedBy())
          .build();
    }
    int max = Math.max(scaling.maxInstances(), scaling.minInstances());
    ScalingPolicy.Builder b =
        ScalingPolicy.builder()
            .stableWindow(clampStableWindow(scaling.coolDown()))
            .minScale(scaling.minInstances())
            .maxScale(max)
            .initialScale(Math.max(ScalingPolicy.DEFAULT_INITIAL_SCALE, scaling.minInstances()))
            .decidedBy(scaling.decidedBy());
    if (scaling.cpuTargetUtilization().isPresent()) {
      double cores = cpuPerInstance > 0 ? cpuPerInstance : Defaults.GAE_CPU;
      return b.metric(ScalingMetric.CPU)
          .target(cpuTarget(scaling.cpuTargetUtilization().getAsDouble(), cores))
          .targetUtilization(1)
          .build();
    }
    double target = scaling.targetConcurrency();
    if (concurrency.maxPerInstance() > 0) {
      target = Math.min(target, concurrency.maxPerInstance());
    }
    return b.metric(ScalingMetric.CONCURRENCY)
        .target(target)
        .targetUtilization(scaling.targetUtilization())
        .build();
  }

  /**
   * The CPU target of one instance in cores: App Engine's {@code target_utilization} of its {@code
   * resources.cpu}, at least {@link ScalingPolicy#TARGET_MIN}.
   */
  public static double cpuTarget(double utilization, double cpuPerInstance) {
    return Math.max(ScalingPolicy.TARGET_MIN, utilization * cpuPerInstance);
  }

  /** {@code manual_scaling.instances: n}: exactly n instances, whatever the load. */
  public static ScalingPolicy fromManualScaling(int instances) {
    if (instances < 1) {
      throw new IllegalArgumentException("manual_scaling.instances must be at least 1");
    }
    return ScalingPolicy.builder()
        .minScale(instances)
        .maxScale(instances)
        .initialScale(instances)
        .decidedBy("manual_scaling.instances: " + instances)
        .build();
  }

  /**
   * An app.yaml {@code automatic_scaling} section, with App Engine flexible's defaults for what it
   * leaves out. {@code cpuPerInstance} is the instance's {@code resources.cpu} (App Engine default
   * 1), used only for a CPU target.
   */
  public static MappedPolicy fromAutomaticScaling(AutomaticScaling a, double cpuPerInstance) {
    List<String> problems = new ArrayList<>();
    ScalingPolicy.Builder b = ScalingPolicy.builder();
    int min = a.minNumInstances().orElse(Defaults.GAE_MIN_INSTANCES);
    int max = a.maxNumInstances().orElse(Defaults.GAE_MAX_INSTANCES);
    if (min < 0) {
      problems.add("min_num_instances " + min + " is negative; using 0");
      min = 0;
    }
    if (max < 1) {
      problems.add("max_num_instances " + max + " is below 1; using " + Defaults.GAE_MAX_INSTANCES);
      max = Defaults.GAE_MAX_INSTANCES;
    }
    if (min > max) {
      problems.add(
          "min_num_instances "
              + min
              + " is more than max_num_instances "
              + max
              + "; using "
              + max
              + " for both. Make min_num_instances at most max_num_instances");
      min = max;
    }
    b.minScale(min).maxScale(max).initialScale(Math.max(1, min));
    Duration coolDown = a.coolDownPeriod().orElse(Defaults.GAE_COOL_DOWN);
    b.stableWindow(clampStableWindow(coolDown));
    if (!clampStableWindow(coolDown).equals(coolDown)) {
      problems.add(
          "cool_down_period_sec "
              + coolDown.toSeconds()
              + " is outside 6 to 3600 s; using "
              + clampStableWindow(coolDown).toSeconds());
    }
    StringBuilder why = new StringBuilder("app.yaml automatic_scaling");
    boolean targetChosen = false;
    if (a.targetConcurrentRequests().isPresent()) {
      double t = a.targetConcurrentRequests().getAsDouble();
      if (t > 0) {
        targetChosen = true;
        b.metric(ScalingMetric.CONCURRENCY).target(t).targetUtilization(1);
        why.append(": ").append(Autoscaler.number(t)).append(" requests in flight per instance");
      } else {
        problems.add("target_concurrent_requests must be above 0; using the default");
      }
      if (a.cpuTargetUtilization().isPresent()) {
        problems.add(
            "cpu_utilization.target_utilization is ignored because target_concurrent_requests is"
                + " set: Pylon scales on one metric. Remove one of them");
      }
    } else if (a.cpuTargetUtilization().isPresent()) {
      double u = a.cpuTargetUtilization().getAsDouble();
      double cores = cpuPerInstance > 0 ? cpuPerInstance : Defaults.GAE_CPU;
      if (u > 0 && u <= 1) {
        targetChosen = true;
        b.metric(ScalingMetric.CPU).target(cpuTarget(u, cores)).targetUtilization(1);
        why.append(": CPU at ")
            .append(Autoscaler.number(u * 100))
            .append("% of ")
            .append(Autoscaler.number(cores))
            .append(" core(s) per instance");
      } else {
        problems.add(
            "cpu_utilization.target_utilization must be in (0, 1], got "
                + Autoscaler.number(u)
                + "; using requests in flight instead");
      }
    }
    if (!targetChosen) {
      b.target(Defaults.CLOUD_RUN_CONCURRENCY)
          .targetUtilization(Defaults.KNATIVE_TARGET_UTILIZATION);
      why.append(": requests in flight, Cloud Run's 80 per instance at 70%");
    }
    return new MappedPolicy(b.decidedBy(why.toString()).build(), problems);
  }

  /**
   * Knative's per-revision annotations, over Knative's defaults. {@code containerConcurrency} is
   * the revision's hard cap (0: none); as in Knative it is the default target, and caps a {@code
   * target} annotation. Annotations outside {@code autoscaling.knative.dev/} are not looked at.
   */
  public static MappedPolicy fromKnativeAnnotations(
      Map<String, String> annotations, int containerConcurrency) {
    List<String> problems = new ArrayList<>();
    ScalingPolicy.Builder b = ScalingPolicy.builder().decidedBy("Knative annotations");
    ScalingMetric metric = ScalingMetric.CONCURRENCY;
    Optional<Double> target = Optional.empty();
    Integer min = null;
    Integer max = null;
    for (Map.Entry<String, String> e : annotations.entrySet()) {
      String key = e.getKey();
      if (!key.startsWith(KN)) {
        continue;
      }
      String name = key.substring(KN.length());
      Value v = new Value(key, e.getValue().trim(), problems);
      switch (name) {
        case "min-scale", "minScale" -> min = v.integer(0, Integer.MAX_VALUE).orElse(min);
        case "max-scale", "maxScale" -> max = v.integer(0, Integer.MAX_VALUE).orElse(max);
        case "initial-scale", "initialScale" ->
            v.integer(0, Integer.MAX_VALUE).ifPresent(b::initialScale);
        case "activation-scale" -> v.integer(1, Integer.MAX_VALUE).ifPresent(b::activationScale);
        case "target" -> {
          Optional<Double> t = v.number(ScalingPolicy.TARGET_MIN, Double.MAX_VALUE);
          if (t.isPresent()) {
            target = t;
          }
        }
        case "target-utilization-percentage" ->
            v.number(1, 100).ifPresent(p -> b.targetUtilization(p / 100));
        case "window" ->
            v.duration(ScalingPolicy.MIN_STABLE_WINDOW, ScalingPolicy.MAX_STABLE_WINDOW)
                .ifPresent(b::stableWindow);
        case "panic-window-percentage", "panicWindowPercentage" ->
            v.number(1, 100).ifPresent(b::panicWindowPercentage);
        case "panic-threshold-percentage", "panicThresholdPercentage" ->
            v.number(110, 1000).ifPresent(b::panicThresholdPercentage);
        case "scale-to-zero-pod-retention-period" ->
            v.duration(Duration.ZERO, Duration.ofHours(1)).ifPresent(b::scaleToZeroPodRetention);
        case "scale-down-delay" ->
            v.duration(Duration.ZERO, Duration.ofHours(1)).ifPresent(b::scaleDownDelay);
        case "metric" -> {
          switch (v.raw()) {
            case "concurrency" -> metric = ScalingMetric.CONCURRENCY;
            case "rps" -> metric = ScalingMetric.RPS;
            default ->
                problems.add(
                    key
                        + ": \""
                        + v.raw()
                        + "\" is not a KPA metric; use concurrency or rps (cpu and memory need"
                        + " Kubernetes' HPA, which Pylon does not run)");
          }
        }
        case "class" -> {
          if (!v.raw().equals("kpa.autoscaling.knative.dev")) {
            problems.add(
                key + ": Pylon always scales like Knative's KPA; \"" + v.raw() + "\" is ignored");
          }
        }
        default -> problems.add(key + " has no effect in Pylon");
      }
    }
    double total = metric.defaultTarget();
    if (metric == ScalingMetric.CONCURRENCY && containerConcurrency > 0) {
      total = containerConcurrency;
    }
    if (target.isPresent()) {
      total = target.get();
      if (metric == ScalingMetric.CONCURRENCY && containerConcurrency > 0) {
        total = Math.min(total, containerConcurrency);
      }
    }
    b.metric(metric).target(total);
    if (min != null) {
      b.minScale(min);
    }
    if (max != null) {
      b.maxScale(max);
    }
    if (min != null && max != null && max > 0 && min > max) {
      problems.add(
          KN
              + "min-scale "
              + min
              + " is more than max-scale "
              + max
              + "; using "
              + max
              + " for both. Make min-scale at most max-scale");
      b.minScale(max);
    }
    return new MappedPolicy(b.build(), problems);
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

  private static final Pattern GO_DURATION_PART =
      Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h)");

  /**
   * A Go duration as Knative writes them ("60s", "1m30s", "1.5h", "500ms"); empty when malformed.
   */
  static Optional<Duration> parseGoDuration(String text) {
    if (text.equals("0")) {
      return Optional.of(Duration.ZERO);
    }
    Matcher m = GO_DURATION_PART.matcher(text);
    int at = 0;
    BigDecimal nanos = BigDecimal.ZERO;
    while (at < text.length() && m.find(at) && m.start() == at) {
      BigDecimal n = new BigDecimal(m.group(1).endsWith(".") ? m.group(1) + "0" : m.group(1));
      long unit =
          switch (m.group(2)) {
            case "ns" -> 1L;
            case "us", "µs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            default -> 3_600_000_000_000L;
          };
      nanos = nanos.add(n.multiply(BigDecimal.valueOf(unit)));
      at = m.end();
    }
    if (at == 0 || at != text.length()) {
      return Optional.empty();
    }
    return Optional.of(Duration.ofNanos(nanos.longValue()));
  }

  /** One annotation's value, parsed with a problem sentence on failure. */
  private record Value(String key, String raw, List<String> problems) {
    Optional<Integer> integer(int min, int max) {
      try {
        int n = Integer.parseInt(raw);
        if (n >= min && n <= max) {
          return Optional.of(n);
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      problems.add(
          key
              + ": \""
              + raw
              + "\" is not a whole number "
              + (max == Integer.MAX_VALUE ? ">= " + min : "from " + min + " to " + max)
              + "; ignored");
      return Optional.empty();
    }

    Optional<Double> number(double min, double max) {
      try {
        double n = Double.parseDouble(raw);
        if (n >= min && n <= max) {
          return Optional.of(n);
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      problems.add(
          key
              + ": \""
              + raw
              + "\" is not a number "
              + (max == Double.MAX_VALUE
                  ? ">= " + Autoscaler.number(min)
                  : "from " + Autoscaler.number(min) + " to " + Autoscaler.number(max))
              + "; ignored");
      return Optional.empty();
    }

    Optional<Duration> duration(Duration min, Duration max) {
      Optional<Duration> d = parseGoDuration(raw);
      if (d.isPresent() && d.get().compareTo(min) >= 0 && d.get().compareTo(max) <= 0) {
        return d;
      }
      problems.add(
          key
              + ": \""
              + raw
              + "\" is not a duration from "
              + Autoscaler.seconds(min)
              + " to "
              + Autoscaler.seconds(max)
              + " (write it like 60s or 1m30s); ignored");
      return Optional.empty();
    }
  }
}
