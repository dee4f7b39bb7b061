package dev.pylon.control.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pylon.autoscale.Autoscaler;
import dev.pylon.autoscale.Decision;
import dev.pylon.autoscale.ScalerState;
import dev.pylon.autoscale.ScalingMetric;
import dev.pylon.autoscale.ScalingPolicy;
import dev.pylon.autoscale.WindowStats;
import dev.pylon.spec.PythonFinder;
import dev.pylon.spec.ServiceSpec;
import dev.pylon.spec.SpecLoader;
import dev.pylon.spec.SpecOverrides;
import dev.pylon.spec.SpecResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one path from what an app's files declare to the autoscaler's policy on the daemon: the spec
 * readers parse app.yaml / service.yaml, {@link Scaling#declaredBy} makes the service's scaling,
 * {@link Scaling#policy} the policy (with the daemon's default windows). The assertions that were
 * made of the deleted autoscale.ScalingPolicies' parallel mappings, where the live path gives the
 * same values, are here.
 */
class DeclaredScalingTest {
  private static final Instant T0 = Instant.parse("2026-11-23T12:00:00Z");
  private static final String APP_YAML =
      "runtime: python\nenv: flex\nentrypoint: gunicorn -b 127.0.0.1:$PORT main:app\n";

  @TempDir Path dir;

  private SpecResult.Loaded load(String file, String text) throws Exception {
    Files.writeString(dir.resolve(file), text);
    Files.writeString(
        dir.resolve("main.py"),
        """
        def app(environ, start_response):
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"hello"]
        """);
    SpecResult r = new SpecLoader(new PythonFinder()).load(dir, SpecOverrides.none());
    assertThat(r).isInstanceOf(SpecResult.Loaded.class);
    return (SpecResult.Loaded) r;
  }

  private static ScalingPolicy policy(ServiceSpec spec) {
    return Scaling.declaredBy(spec)
        .orElseThrow()
        .policy(
            ScalingPolicy.DEFAULT_STABLE_WINDOW, ScalingPolicy.DEFAULT_SCALE_TO_ZERO_GRACE_PERIOD);
  }

  private static Decision decide(ScalingPolicy p, double load, int ready) {
    return new Autoscaler(p)
        .decide(
            T0, new WindowStats(load, load, Optional.of(T0), true), ready, ScalerState.start(T0));
  }

  @Test
  void withoutAppYamlOrAnnotationsNothingIsDeclaredAndTheServiceKeepsItsScaling() throws Exception {
    SpecResult.Loaded loaded = load("Procfile", "web: gunicorn -b :$PORT main:app\n");

    assertThat(loaded.spec().scaling().declared()).isFalse();
    assertThat(Scaling.declaredBy(loaded.spec())).isEmpty();
  }

  /** From automaticScalingWithConcurrencyTargetAimsAtTheNumberItself: bounds and window. */
  @Test
  void automaticScalingBoundsAndCoolDownAreTheServices() throws Exception {
    SpecResult.Loaded loaded =
        load(
            "app.yaml",
            APP_YAML
                + """
                automatic_scaling:
                  min_num_instances: 1
                  max_num_instances: 8
                  cool_down_period_sec: 90
                  target_concurrent_requests: 30
                """);

    assertThat(loaded.warnings()).isEmpty();
    ScalingPolicy p = policy(loaded.spec());
    assertThat(p.metric()).isEqualTo(ScalingMetric.CONCURRENCY);
    assertThat(p.minScale()).isEqualTo(1);
    assertThat(p.maxScale()).isEqualTo(8);
    assertThat(p.stableWindow()).isEqualTo(Duration.ofSeconds(90));
  }

  /** From automaticScalingWithCpuUtilizationBecomesACpuTarget. */
  @Test
  void automaticScalingWithCpuUtilizationBecomesACpuTarget() throws Exception {
    SpecResult.Loaded loaded =
        load(
            "app.yaml",
            APP_YAML
                + """
                automatic_scaling:
                  cpu_utilization:
                    target_utilization: 0.6
                resources:
                  cpu: 2
                """);

    ScalingPolicy p = policy(loaded.spec());
    assertThat(p.metric()).isEqualTo(ScalingMetric.CPU);
    // 60% of 2 cores: 1.2 cores per instance; 3 cores used in all needs 3 instances.
    assertThat(p.targetPerInstance()).isEqualTo(1.2, Offset.offset(1e-9));
    assertThat(p.minScale()).isEqualTo(2);
    assertThat(p.maxScale()).isEqualTo(20);
    Decision d = decide(p, 3.0, 2);
    assertThat(d.desiredInstances()).isEqualTo(3);
    assertThat(d.reason()).contains("3 cores / 1.2 per instance wants 3");
  }

  /** From bothTargetsGiveConcurrencyAndSayTheCpuOneIsIgnored: the metric. */
  @Test
  void bothTargetsGiveConcurrency() throws Exception {
    SpecResult.Loaded loaded =
        load(
            "app.yaml",
            APP_YAML
                + """
                automatic_scaling:
                  min_num_instances: 1
                  max_num_instances: 3
                  target_concurrent_requests: 10
                  cpu_utilization:
                    target_utilization: 0.5
                """);

    assertThat(policy(loaded.spec()).metric()).isEqualTo(ScalingMetric.CONCURRENCY);
  }

  /** From emptyAutomaticScalingUsesAppEngineBoundsAndRequestTargets. */
  @Test
  void emptyAutomaticScalingUsesAppEngineBoundsAndRequestTargets() throws Exception {
    SpecResult.Loaded loaded = load("app.yaml", APP_YAML + "automatic_scaling: {}\n");

    ScalingPolicy p = policy(loaded.spec());
    assertThat(p.metric()).isEqualTo(ScalingMetric.CONCURRENCY);
    assertThat(p.minScale()).isEqualTo(2);
    assertThat(p.maxScale()).isEqualTo(20);
    assertThat(p.startingInstances()).isEqualTo(2);
    assertThat(p.targetPerInstance()).isEqualTo(56, Offset.offset(1e-9));
  }

  /** From manualScalingPinsTheCount and manualScalingReadByTheSpecPinsThePolicy. */
  @Test
  void manualScalingPinsTheCount() throws Exception {
    SpecResult.Loaded loaded = load("app.yaml", APP_YAML + "manual_scaling:\n  instances: 4\n");

    ScalingPolicy p = policy(loaded.spec());
    assertThat(p.pinned()).isTrue();
    assertThat(p.minScale()).isEqualTo(4);
    assertThat(p.startingInstances()).isEqualTo(4);
    assertThat(decide(p, 1000, 4).desiredInstances()).isEqualTo(4);
  }

  /** From appYamlReadByTheSpecMapsOntoThePolicy: bounds and window. */
  @Test
  void appYamlReadByTheSpecMapsOntoThePolicy() throws Exception {
    SpecResult.Loaded loaded =
        load(
            "app.yaml",
            APP_YAML
                + """
                automatic_scaling:
                  min_num_instances: 1
                  max_num_instances: 4
                  cool_down_period_sec: 90
                  target_concurrent_requests: 12
                """);

    ScalingPolicy p = policy(loaded.spec());
    assertThat(p.minScale()).isEqualTo(1);
    assertThat(p.maxScale()).isEqualTo(4);
    assertThat(p.stableWindow()).isEqualTo(Duration.ofSeconds(90));
  }

  /** From cpuUtilizationReadByTheSpecIsACpuTargetOfTheInstancesCores. */
  @Test
  void cpuUtilizationReadByTheSpecIsACpuTargetOfTheInstancesCores() throws Exception {
    SpecResult.Loaded loaded =
        load(
            "app.yaml",
            APP_YAML
                + """
                automatic_scaling:
                  min_num_instances: 1
                  max_num_instances: 4
                  cpu_utilization:
                    target_utilization: 0.6
                resources:
                  cpu: 2
                """);

    ServiceSpec spec = loaded.spec();
    assertThat(spec.scaling().cpuTargetUtilization()).hasValue(0.6);
    assertThat(spec.scaling().coolDownDeclared()).isFalse();
    assertThat(loaded.warnings().toString()).doesNotContain("not CPU");
    ScalingPolicy p = policy(spec);
    assertThat(p.metric()).isEqualTo(ScalingMetric.CPU);
    assertThat(p.target()).isCloseTo(1.2, Offset.offset(1e-9));
    assertThat(p.targetUtilization()).isEqualTo(1);
  }

  /**
   * From specScalingCapsTheTargetAtTheRequestCap and
   * containerConcurrencyIsTheDefaultTargetAndCapsTheAnnotation: Knative's containerConcurrency caps
   * a target annotation.
   */
  @Test
  void theRequestCapIsTheTarget() throws Exception {
    SpecResult.Loaded loaded = load("service.yaml", knativeService("target", "50", 10));

    ScalingPolicy p = policy(loaded.spec());
    assertThat(p.target()).isEqualTo(10);
    assertThat(p.stableWindow()).isEqualTo(Duration.ofSeconds(60));
    assertThat(p.maxScale()).isEqualTo(100);
  }

  /** From annotationsOverrideEachKnob: the bounds (the other knobs have no effect in Pylon). */
  @Test
  void scaleAnnotationsAreTheBounds() throws Exception {
    SpecResult.Loaded loaded =
        load(
            "service.yaml",
            knativeService("min-scale", "1", 0)
                .replace(
                    "        autoscaling.knative.dev/min-scale: \"1\"\n",
                    "        autoscaling.knative.dev/min-scale: \"1\"\n"
                        + "        autoscaling.knative.dev/max-scale: \"7\"\n"));

    ScalingPolicy p = policy(loaded.spec());
    assertThat(p.minScale()).isEqualTo(1);
    assertThat(p.maxScale()).isEqualTo(7);
  }

  private static String knativeService(String annotation, String value, int concurrency) {
    return """
        apiVersion: serving.knative.dev/v1
        kind: Service
        metadata:
          name: hello
        spec:
          template:
            metadata:
              annotations:
                autoscaling.knative.dev/%s: "%s"
            spec:
              containerConcurrency: %d
              containers:
                - image: x
        """
        .formatted(annotation, value, concurrency);
  }
}
