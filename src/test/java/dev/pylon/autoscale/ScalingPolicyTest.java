package dev.pylon.autoscale;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Moved from the deleted ScalingPoliciesTest: the policy's own defaults are Knative's. */
class ScalingPolicyTest {
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
}
