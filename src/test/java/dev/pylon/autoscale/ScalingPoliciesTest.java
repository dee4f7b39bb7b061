package dev.pylon.autoscale;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pylon.spec.Concurrency;
import dev.pylon.spec.PythonFinder;
import dev.pylon.spec.Scaling;
import dev.pylon.spec.ServiceSpec;
import dev.pylon.spec.SpecLoader;
import dev.pylon.spec.SpecOverrides;
import dev.pylon.spec.SpecResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScalingPoliciesTest {
  private static final String KN = "autoscaling.knative.dev/";

  @Test
  void knativeDefaultsAreTheDocumentedOnes() {
    ScalingPolicy p = ScalingPolicy.knativeDefaults();

    assertThat(p.target()).isEqualTo(100);
    assertThat(p.targetUtilization()).isEqualTo(0.7);
    assertThat(p.targetPerInstance()).isEqualTo(70, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(p.stableWindow()).isEqualTo(Duration.ofSeconds(60));
    assertThat(p.panicWindow()).isEqualTo(Duration.ofSeconds(6));
    assertThat(p.panicThreshold()).isEqualTo(2.0);
    assertThat(p.maxScaleUpRate()).isEqualTo(1000);
    assertThat(p.maxScaleDownRate()).isEqualTo(2);
    assertThat(p.scaleToZeroGracePeriod()).isEqualTo(Duration.ofSeconds(30));
    assertThat(p.minScale()).isZero();
    assertThat(p.maxScale()).isZero();
    assertThat(p.initialScale()).isEqualTo(1);
    assertThat(p.activationScale()).isEqualTo(1);
    assertThat(p.scaleDownDelay()).isZero();
  }

  @Test
  void annotationsOverrideEachKnob() {
    Map<String, String> a = new LinkedHashMap<>();
    a.put(KN + "min-scale", "1");
    a.put(KN + "max-scale", "7");
    a.put(KN + "target", "20");
    a.put(KN + "target-utilization-percentage", "80");
    a.put(KN + "window", "2m");
    a.put(KN + "panic-window-percentage", "5");
    a.put(KN + "panic-threshold-percentage", "150");
    a.put(KN + "scale-to-zero-pod-retention-period", "1m30s");
    a.put(KN + "scale-down-delay", "15s");
    a.put(KN + "initial-scale", "2");
    a.put(KN + "activation-scale", "3");
    a.put("serving.knative.dev/creator", "someone");

    MappedPolicy m = ScalingPolicies.fromKnativeAnnotations(a, 0);

    assertThat(m.problems()).isEmpty();
    ScalingPolicy p = m.policy();
    assertThat(p.minScale()).isEqualTo(1);
    assertThat(p.maxScale()).isEqualTo(7);
    assertThat(p.target()).isEqualTo(20);
    assertThat(p.targetUtilization()).isEqualTo(0.8);
    assertThat(p.stableWindow()).isEqualTo(Duration.ofMinutes(2));
    assertThat(p.panicWindow()).isEqualTo(Duration.ofSeconds(6));
    assertThat(p.panicThreshold()).isEqualTo(1.5);
    assertThat(p.scaleToZeroPodRetention()).isEqualTo(Duration.ofSeconds(90));
    assertThat(p.scaleDownDelay()).isEqualTo(Duration.ofSeconds(15));
    assertThat(p.initialScale()).isEqualTo(2);
    assertThat(p.activationScale()).isEqualTo(3);
  }

  @Test
  void containerConcurrencyIsTheDefaultTargetAndCapsTheAnnotation() {
    assertThat(ScalingPolicies.fromKnativeAnnotations(Map.of(), 0).policy().target())
        .isEqualTo(100);
    assertThat(ScalingPolicies.fromKnativeAnnotations(Map.of(), 10).policy().target())
        .isEqualTo(10);
    assertThat(
            ScalingPolicies.fromKnativeAnnotations(Map.of(KN + "target", "50"), 10)
                .policy()
                .target())
        .isEqualTo(10);
    assertThat(
            ScalingPolicies.fromKnativeAnnotations(
                    Map.of(KN + "metric", "rps", KN + "target", "50"), 10)
                .policy()
                .target())
        .isEqualTo(50);
  }

  @Test
  void badAnnotationsAreReportedAndLeftAtTheirDefaults() {
    Map<String, String> a = new LinkedHashMap<>();
    a.put(KN + "window", "5s");
    a.put(KN + "panic-threshold-percentage", "lots");
    a.put(KN + "min-scale", "-1");
    a.put(KN + "metric", "cpu");
    a.put(KN + "target-burst-capacity", "200");

    MappedPolicy m = ScalingPolicies.fromKnativeAnnotations(a, 0);

    assertThat(m.policy().stableWindow()).isEqualTo(Duration.ofSeconds(60));
    assertThat(m.policy().panicThreshold()).isEqualTo(2.0);
    assertThat(m.policy().minScale()).isZero();
    assertThat(m.policy().metric()).isEqualTo(ScalingMetric.CONCURRENCY);
    assertThat(m.problems())
        .containsExactly(
            KN
                + "window: \"5s\" is not a duration from 6 s to 3600 s (write it like 60s or"
                + " 1m30s); ignored",
            KN + "panic-threshold-percentage: \"lots\" is not a number from 110 to 1000; ignored",
            KN + "min-scale: \"-1\" is not a whole number >= 0; ignored",
            KN
                + "metric: \"cpu\" is not a KPA metric; use concurrency or rps (cpu and memory"
                + " need Kubernetes' HPA, which Pylon does not run)",
            KN + "target-burst-capacity has no effect in Pylon");
  }

  @Test
  void minAboveMaxIsReportedAndPinnedAtMax() {
    MappedPolicy m =
        ScalingPolicies.fromKnativeAnnotations(
            Map.of(KN + "min-scale", "5", KN + "max-scale", "3"), 0);

    assertThat(m.policy().minScale()).isEqualTo(3);
    assertThat(m.policy().maxScale()).isEqualTo(3);
    assertThat(m.problems()).singleElement().asString().contains("min-scale 5 is more than");
  }

  @Test
  void goDurationsParseAsKnativeWritesThem() {
    assertThat(ScalingPolicies.parseGoDuration("60s")).contains(Duration.ofSeconds(60));
    assertThat(ScalingPolicies.parseGoDuration("1m30s")).contains(Duration.ofSeconds(90));
    assertThat(ScalingPolicies.parseGoDuration("1.5h")).contains(Duration.ofMinutes(90));
    assertThat(ScalingPolicies.parseGoDuration("500ms")).contains(Duration.ofMillis(500));
    assertThat(ScalingPolicies.parseGoDuration("0")).contains(Duration.ZERO);
    assertThat(ScalingPolicies.parseGoDuration("60")).isEmpty();
    assertThat(ScalingPolicies.parseGoDuration("s")).isEmpty();
    assertThat(ScalingPolicies.parseGoDuration("1m 30s")).isEmpty();
  }

  @Test
  void automaticScalingWithConcurrencyTargetAimsAtTheNumberItself() {
    MappedPolicy m =
        ScalingPolicies.fromAutomaticScaling(
            new AutomaticScaling(
                OptionalInt.of(1),
                OptionalInt.of(8),
                Optional.of(Duration.ofSeconds(90)),
                OptionalDouble.of(30),
                OptionalDouble.empty()),
            1);

    assertThat(m.problems()).isEmpty();
    ScalingPolicy p = m.policy();
    assertThat(p.metric()).isEqualTo(ScalingMetric.CONCURRENCY);
    assertThat(p.targetPerInstance()).isEqualTo(30);
    assertThat(p.minScale()).isEqualTo(1);
    assertThat(p.maxScale()).isEqualTo(8);
    assertThat(p.stableWindow()).isEqualTo(Duration.ofSeconds(90));
    assertThat(p.decidedBy()).contains("30 requests in flight per instance");
  }

  @Test
  void automaticScalingWithCpuUtilizationBecomesACpuTarget() {
    MappedPolicy m =
        ScalingPolicies.fromAutomaticScaling(
            new AutomaticScaling(
                OptionalInt.empty(),
                OptionalInt.empty(),
                Optional.empty(),
                OptionalDouble.empty(),
                OptionalDouble.of(0.6)),
            2);

    ScalingPolicy p = m.policy();
    assertThat(p.metric()).isEqualTo(ScalingMetric.CPU);
    // 60% of 2 cores: 1.2 cores per instance; 3 cores used in all needs 3 instances.
    assertThat(p.targetPerInstance()).isEqualTo(1.2, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(p.minScale()).isEqualTo(2);
    assertThat(p.maxScale()).isEqualTo(20);
    assertThat(p.stableWindow()).isEqualTo(Duration.ofSeconds(120));
    assertThat(p.decidedBy()).contains("CPU at 60% of 2 core(s) per instance");
    Decision d =
        new Autoscaler(p)
            .decide(
                LoadReplay.T0,
                new WindowStats(3.0, 3.0, Optional.of(LoadReplay.T0), true),
                2,
                ScalerState.start(LoadReplay.T0));
    assertThat(d.desiredInstances()).isEqualTo(3);
    assertThat(d.reason()).contains("3 cores / 1.2 per instance wants 3");
  }

  @Test
  void bothTargetsGiveConcurrencyAndSayTheCpuOneIsIgnored() {
    MappedPolicy m =
        ScalingPolicies.fromAutomaticScaling(
            new AutomaticScaling(
                OptionalInt.of(1),
                OptionalInt.of(3),
                Optional.empty(),
                OptionalDouble.of(10),
                OptionalDouble.of(0.5)),
            1);

    assertThat(m.policy().metric()).isEqualTo(ScalingMetric.CONCURRENCY);
    assertThat(m.problems())
        .singleElement()
        .asString()
        .startsWith("cpu_utilization.target_utilization is ignored");
  }

  @Test
  void emptyAutomaticScalingUsesAppEngineBoundsAndRequestTargets() {
    ScalingPolicy p = ScalingPolicies.fromAutomaticScaling(AutomaticScaling.EMPTY, 1).policy();

    assertThat(p.metric()).isEqualTo(ScalingMetric.CONCURRENCY);
    assertThat(p.minScale()).isEqualTo(2);
    assertThat(p.maxScale()).isEqualTo(20);
    assertThat(p.initialScale()).isEqualTo(2);
    assertThat(p.targetPerInstance()).isEqualTo(56, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void manualScalingPinsTheCount() {
    ScalingPolicy p = ScalingPolicies.fromManualScaling(4);

    assertThat(p.pinned()).isTrue();
    assertThat(p.startingInstances()).isEqualTo(4);
    Decision d =
        new Autoscaler(p)
            .decide(
                LoadReplay.T0,
                new WindowStats(1000, 1000, Optional.empty(), true),
                4,
                ScalerState.start(LoadReplay.T0));
    assertThat(d.desiredInstances()).isEqualTo(4);
    assertThat(d.reason()).isEqualTo("pinned at 4 (manual_scaling.instances: 4)");
  }

  @Test
  void specScalingCapsTheTargetAtTheRequestCap() {
    Scaling s = new Scaling(0, 100, 80, 0.7, Duration.ofSeconds(60), "Cloud Run defaults");
    ScalingPolicy p =
        ScalingPolicies.fromSpec(
            s, new Concurrency(10, Duration.ofMinutes(5), "flags"), OptionalInt.empty());

    assertThat(p.target()).isEqualTo(10);
    assertThat(p.stableWindow()).isEqualTo(Duration.ofSeconds(60));
    assertThat(p.maxScale()).isEqualTo(100);
    assertThat(p.decidedBy()).isEqualTo("Cloud Run defaults");
  }

  @Test
  void appYamlReadByTheSpecMapsOntoThePolicy(@TempDir Path dir) throws Exception {
    Files.writeString(
        dir.resolve("app.yaml"),
        """
        runtime: python
        env: flex
        entrypoint: gunicorn -b :$PORT main:app
        automatic_scaling:
          min_num_instances: 1
          max_num_instances: 4
          cool_down_period_sec: 90
          target_concurrent_requests: 12
        """);
    Files.writeString(
        dir.resolve("main.py"),
        """
        def app(environ, start_response):
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"hello"]
        """);

    SpecResult r = new SpecLoader(new PythonFinder()).load(dir, SpecOverrides.none());

    assertThat(r).isInstanceOf(SpecResult.Loaded.class);
    ServiceSpec spec = ((SpecResult.Loaded) r).spec();
    ScalingPolicy p = ScalingPolicies.fromSpec(spec);
    assertThat(p.minScale()).isEqualTo(1);
    assertThat(p.maxScale()).isEqualTo(4);
    assertThat(p.stableWindow()).isEqualTo(Duration.ofSeconds(90));
    // target_concurrent_requests, capped by the per-instance request cap when there is one.
    int cap = spec.concurrency().maxPerInstance();
    assertThat(p.target()).isEqualTo(cap > 0 ? Math.min(12, cap) : 12);
    assertThat(p.decidedBy()).contains("automatic_scaling");
  }

  @Test
  void cpuUtilizationReadByTheSpecIsACpuTargetOfTheInstancesCores(@TempDir Path dir)
      throws Exception {
    Files.writeString(
        dir.resolve("app.yaml"),
        """
        runtime: python
        env: flex
        entrypoint: gunicorn -b :$PORT main:app
        automatic_scaling:
          min_num_instances: 1
          max_num_instances: 4
          cpu_utilization:
            target_utilization: 0.6
        resources:
          cpu: 2
        """);
    Files.writeString(dir.resolve("main.py"), "def app(environ, start_response):\n    pass\n");

    SpecResult r = new SpecLoader(new PythonFinder()).load(dir, SpecOverrides.none());

    assertThat(r).isInstanceOf(SpecResult.Loaded.class);
    ServiceSpec spec = ((SpecResult.Loaded) r).spec();
    assertThat(spec.scaling().cpuTargetUtilization()).hasValue(0.6);
    assertThat(spec.scaling().coolDownDeclared()).isFalse();
    assertThat(((SpecResult.Loaded) r).warnings().toString()).doesNotContain("not CPU");
    ScalingPolicy p = ScalingPolicies.fromSpec(spec);
    assertThat(p.metric()).isEqualTo(ScalingMetric.CPU);
    assertThat(p.target()).isCloseTo(1.2, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(p.targetUtilization()).isEqualTo(1);
    assertThat(p.stableWindow()).isEqualTo(Duration.ofSeconds(120)); // App Engine's cool-down
  }

  @Test
  void manualScalingReadByTheSpecPinsThePolicy(@TempDir Path dir) throws Exception {
    Files.writeString(
        dir.resolve("app.yaml"),
        """
        runtime: python
        env: flex
        entrypoint: gunicorn -b :$PORT main:app
        manual_scaling:
          instances: 3
        """);
    Files.writeString(
        dir.resolve("main.py"),
        """
        def app(environ, start_response):
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"hello"]
        """);

    SpecResult r = new SpecLoader(new PythonFinder()).load(dir, SpecOverrides.none());

    assertThat(r).isInstanceOf(SpecResult.Loaded.class);
    ScalingPolicy p = ScalingPolicies.fromSpec(((SpecResult.Loaded) r).spec());
    assertThat(p.pinned()).isTrue();
    assertThat(p.minScale()).isEqualTo(3);
  }
}
