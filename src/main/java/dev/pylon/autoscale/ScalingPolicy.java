package dev.pylon.autoscale;

import java.time.Duration;
import java.util.Objects;

/**
 * Every knob of the autoscaler, each with Knative's default beside it (config-autoscaler and the
 * {@code autoscaling.knative.dev/*} annotations). Immutable; make variants with {@link
 * #toBuilder()}.
 *
 * @param metric what the samples measure; default {@link ScalingMetric#CONCURRENCY}
 * @param target what one instance should carry, in the metric's unit, before utilization; default
 *     100 in flight (Knative's target when containerConcurrency is 0, else containerConcurrency)
 * @param targetUtilization fraction of {@code target} to aim for, leaving headroom for bursts;
 *     default 0.7
 * @param stableWindow the long window that normal decisions average over; default 60 s (6 s to 1 h)
 * @param panicWindowPercentage the short panic window as a percentage of the stable window; default
 *     10 (so 6 s)
 * @param panicThresholdPercentage panic when the panic window wants this percentage of the ready
 *     instances; default 200 (twice the ready capacity)
 * @param maxScaleUpRate at most this many times the ready instances in one decision; default 1000
 * @param maxScaleDownRate at least the ready instances divided by this after one decision; default
 *     2 (never drop more than half at once)
 * @param scaleToZeroGracePeriod how long the last instance stays once the stable window has seen no
 *     traffic; default 30 s
 * @param scaleToZeroPodRetention the last instance stays at least this long once idle (Knative's
 *     scale-to-zero-pod-retention-period); default 0
 * @param minScale never fewer instances; 0 allows scale to zero; default 0
 * @param maxScale never more instances; 0 means no limit; default 0
 * @param initialScale instances a new revision starts with, kept until it once reached them;
 *     default 1
 * @param activationScale at least this many when scaling up from zero; default 1
 * @param scaleDownDelay a scale-down takes effect only after the lower count was wanted for this
 *     long (the highest count wanted within it wins); default 0
 * @param decidedBy where the values came from, in words
 */
public record ScalingPolicy(
    ScalingMetric metric,
    double target,
    double targetUtilization,
    Duration stableWindow,
    double panicWindowPercentage,
    double panicThresholdPercentage,
    double maxScaleUpRate,
    double maxScaleDownRate,
    Duration scaleToZeroGracePeriod,
    Duration scaleToZeroPodRetention,
    int minScale,
    int maxScale,
    int initialScale,
    int activationScale,
    Duration scaleDownDelay,
    String decidedBy) {

  public static final ScalingMetric DEFAULT_METRIC = ScalingMetric.CONCURRENCY;
  public static final double DEFAULT_TARGET = ScalingMetric.CONCURRENCY.defaultTarget();
  public static final double DEFAULT_TARGET_UTILIZATION = 0.7;
  public static final Duration DEFAULT_STABLE_WINDOW = Duration.ofSeconds(60);
  public static final double DEFAULT_PANIC_WINDOW_PERCENTAGE = 10;
  public static final double DEFAULT_PANIC_THRESHOLD_PERCENTAGE = 200;
  public static final double DEFAULT_MAX_SCALE_UP_RATE = 1000;
  public static final double DEFAULT_MAX_SCALE_DOWN_RATE = 2;
  public static final Duration DEFAULT_SCALE_TO_ZERO_GRACE_PERIOD = Duration.ofSeconds(30);
  public static final Duration DEFAULT_SCALE_TO_ZERO_POD_RETENTION = Duration.ZERO;
  public static final int DEFAULT_MIN_SCALE = 0;
  public static final int DEFAULT_MAX_SCALE = 0;
  public static final int DEFAULT_INITIAL_SCALE = 1;
  public static final int DEFAULT_ACTIVATION_SCALE = 1;
  public static final Duration DEFAULT_SCALE_DOWN_DELAY = Duration.ZERO;

  /** Knative's smallest per-instance target after utilization (autoscaling.TargetMin). */
  public static final double TARGET_MIN = 0.01;

  /** Samples are kept in buckets this wide; windows are whole numbers of buckets. */
  public static final Duration BUCKET = Duration.ofSeconds(1);

  /** Knative's bounds on the stable window. */
  public static final Duration MIN_STABLE_WINDOW = Duration.ofSeconds(6);

  public static final Duration MAX_STABLE_WINDOW = Duration.ofHours(1);

  public ScalingPolicy {
    Objects.requireNonNull(metric, "metric");
    Objects.requireNonNull(stableWindow, "stableWindow");
    Objects.requireNonNull(scaleToZeroGracePeriod, "scaleToZeroGracePeriod");
    Objects.requireNonNull(scaleToZeroPodRetention, "scaleToZeroPodRetention");
    Objects.requireNonNull(scaleDownDelay, "scaleDownDelay");
    Objects.requireNonNull(decidedBy, "decidedBy");
    require(target > 0, "target must be positive, got " + target);
    require(
        targetUtilization > 0 && targetUtilization <= 1,
        "targetUtilization must be in (0, 1], got " + targetUtilization);
    require(
        stableWindow.compareTo(BUCKET) >= 0, "stableWindow must be at least 1 s: " + stableWindow);
    require(
        panicWindowPercentage > 0 && panicWindowPercentage <= 100,
        "panicWindowPercentage must be in (0, 100], got " + panicWindowPercentage);
    require(
        panicThresholdPercentage > 100,
        "panicThresholdPercentage must be over 100, got " + panicThresholdPercentage);
    require(maxScaleUpRate > 1, "maxScaleUpRate must be over 1, got " + maxScaleUpRate);
    require(maxScaleDownRate > 1, "maxScaleDownRate must be over 1, got " + maxScaleDownRate);
    require(!scaleToZeroGracePeriod.isNegative(), "scaleToZeroGracePeriod must not be negative");
    require(!scaleToZeroPodRetention.isNegative(), "scaleToZeroPodRetention must not be negative");
    require(!scaleDownDelay.isNegative(), "scaleDownDelay must not be negative");
    require(minScale >= 0, "minScale must not be negative, got " + minScale);
    require(maxScale >= 0, "maxScale must not be negative (0 means no limit), got " + maxScale);
    require(
        maxScale == 0 || minScale <= maxScale,
        "minScale " + minScale + " is more than maxScale " + maxScale);
    require(initialScale >= 0, "initialScale must not be negative, got " + initialScale);
    require(activationScale >= 1, "activationScale must be at least 1, got " + activationScale);
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  /** Knative's defaults, for a revision with no cap on requests per instance. */
  public static ScalingPolicy knativeDefaults() {
    return builder().build();
  }

  /** A builder starting from Knative's defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from this policy. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** What one instance should carry: target x utilization, at least {@link #TARGET_MIN}. */
  public double targetPerInstance() {
    return Math.max(TARGET_MIN, target * targetUtilization);
  }

  /** The short window: a percentage of the stable window, at least one bucket. */
  public Duration panicWindow() {
    long millis = Math.round(stableWindow.toMillis() * panicWindowPercentage / 100);
    return Duration.ofMillis(Math.max(BUCKET.toMillis(), millis));
  }

  /** Panic when panic-window demand / ready instances reaches this ratio (2.0 by default). */
  public double panicThreshold() {
    return panicThresholdPercentage / 100;
  }

  /** Whether the count is pinned (manual scaling): min equals max and is above zero. */
  public boolean pinned() {
    return maxScale > 0 && minScale == maxScale;
  }

  /** How long an idle revision keeps its last instance once the stable window is empty. */
  public Duration lastInstanceKeptFor() {
    return scaleToZeroGracePeriod.compareTo(scaleToZeroPodRetention) >= 0
        ? scaleToZeroGracePeriod
        : scaleToZeroPodRetention;
  }

  /** {@code x} kept within [minScale, maxScale]; maxScale 0 is no limit. */
  public int bound(int x) {
    int bounded = Math.max(minScale, x);
    return maxScale > 0 ? Math.min(maxScale, bounded) : bounded;
  }

  /** The instance count a new revision starts with: initialScale within the bounds. */
  public int startingInstances() {
    return bound(initialScale);
  }

  /** Fills a {@link ScalingPolicy}; every field starts at Knative's default. */
  public static final class Builder {
    private ScalingMetric metric = DEFAULT_METRIC;
    private double target = DEFAULT_TARGET;
    private double targetUtilization = DEFAULT_TARGET_UTILIZATION;
    private Duration stableWindow = DEFAULT_STABLE_WINDOW;
    private double panicWindowPercentage = DEFAULT_PANIC_WINDOW_PERCENTAGE;
    private double panicThresholdPercentage = DEFAULT_PANIC_THRESHOLD_PERCENTAGE;
    private double maxScaleUpRate = DEFAULT_MAX_SCALE_UP_RATE;
    private double maxScaleDownRate = DEFAULT_MAX_SCALE_DOWN_RATE;
    private Duration scaleToZeroGracePeriod = DEFAULT_SCALE_TO_ZERO_GRACE_PERIOD;
    private Duration scaleToZeroPodRetention = DEFAULT_SCALE_TO_ZERO_POD_RETENTION;
    private int minScale = DEFAULT_MIN_SCALE;
    private int maxScale = DEFAULT_MAX_SCALE;
    private int initialScale = DEFAULT_INITIAL_SCALE;
    private int activationScale = DEFAULT_ACTIVATION_SCALE;
    private Duration scaleDownDelay = DEFAULT_SCALE_DOWN_DELAY;
    private String decidedBy = "Knative defaults";

    Builder() {}

    Builder(ScalingPolicy p) {
      metric = p.metric;
      target = p.target;
      targetUtilization = p.targetUtilization;
      stableWindow = p.stableWindow;
      panicWindowPercentage = p.panicWindowPercentage;
      panicThresholdPercentage = p.panicThresholdPercentage;
      maxScaleUpRate = p.maxScaleUpRate;
      maxScaleDownRate = p.maxScaleDownRate;
      scaleToZeroGracePeriod = p.scaleToZeroGracePeriod;
      scaleToZeroPodRetention = p.scaleToZeroPodRetention;
      minScale = p.minScale;
      maxScale = p.maxScale;
      initialScale = p.initialScale;
      activationScale = p.activationScale;
      scaleDownDelay = p.scaleDownDelay;
      decidedBy = p.decidedBy;
    }

    public Builder metric(ScalingMetric v) {
      metric = v;
      return this;
    }

    public Builder target(double v) {
      target = v;
      return this;
    }

    public Builder targetUtilization(double v) {
      targetUtilization = v;
      return this;
    }

    public Builder stableWindow(Duration v) {
      stableWindow = v;
      return this;
    }

    public Builder panicWindowPercentage(double v) {
      panicWindowPercentage = v;
      return this;
    }

    public Builder panicThresholdPercentage(double v) {
      panicThresholdPercentage = v;
      return this;
    }

    public Builder maxScaleUpRate(double v) {
      maxScaleUpRate = v;
      return this;
    }

    public Builder maxScaleDownRate(double v) {
      maxScaleDownRate = v;
      return this;
    }

    public Builder scaleToZeroGracePeriod(Duration v) {
      scaleToZeroGracePeriod = v;
      return this;
    }

    public Builder scaleToZeroPodRetention(Duration v) {
      scaleToZeroPodRetention = v;
      return this;
    }

    public Builder minScale(int v) {
      minScale = v;
      return this;
    }

    public Builder maxScale(int v) {
      maxScale = v;
      return this;
    }

    public Builder initialScale(int v) {
      initialScale = v;
      return this;
    }

    public Builder activationScale(int v) {
      activationScale = v;
      return this;
    }

    public Builder scaleDownDelay(Duration v) {
      scaleDownDelay = v;
      return this;
    }

    public Builder decidedBy(String v) {
      decidedBy = v;
      return this;
    }

    /** The policy; throws IllegalArgumentException when a value is out of range. */
    public ScalingPolicy build() {
      return new ScalingPolicy(
          metric,
          target,
          targetUtilization,
          stableWindow,
          panicWindowPercentage,
          panicThresholdPercentage,
          maxScaleUpRate,
          maxScaleDownRate,
          scaleToZeroGracePeriod,
          scaleToZeroPodRetention,
          minScale,
          maxScale,
          initialScale,
          activationScale,
          scaleDownDelay,
          decidedBy);
    }
  }
}
