package dev.pylon.autoscale;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ScalerTest {
  private static final ScalingPolicy TEN_AT_70 =
      ScalingPolicy.builder().target(10).targetUtilization(0.7).build();

  /** A clock the test moves by hand. */
  private static final class ManualClock extends Clock {
    private volatile Instant now = LoadReplay.T0;

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  /** A pretend supervisor: desired counts become ready at once. */
  private static final class Instances {
    final Map<String, Integer> ready = new ConcurrentHashMap<>();
    final List<String> pushes = new CopyOnWriteArrayList<>();

    int ready(String revision) {
      return ready.getOrDefault(revision, 0);
    }

    void scale(String revision, Decision d) {
      pushes.add(revision + "=" + d.desiredInstances());
      ready.put(revision, d.desiredInstances());
    }
  }

  @Test
  void samplesAndDecisionsFollowTheClockAndOnlyChangesArePushed() {
    ManualClock clock = new ManualClock();
    Instances instances = new Instances();
    Map<String, Double> inFlight = new ConcurrentHashMap<>(Map.of("a", 0.0, "b", 0.0));
    Scaler scaler =
        new Scaler(clock, (rev, metric) -> inFlight.get(rev), instances::ready, instances::scale);
    scaler.register("a", TEN_AT_70);
    scaler.register("b", TEN_AT_70.toBuilder().minScale(2).build());

    for (int s = 0; s < 30; s++) {
      if (s == 10) {
        inFlight.put("a", 50.0);
      }
      for (int q = 0; q < 4; q++) {
        scaler.sample();
        clock.advance(Duration.ofMillis(250));
      }
      scaler.decide();
    }

    assertThat(instances.ready("a")).isEqualTo(8);
    assertThat(instances.ready("b")).isEqualTo(2);
    assertThat(instances.pushes).startsWith("a=1", "b=2");
    assertThat(instances.pushes).doesNotHaveDuplicates();
    assertThat(scaler.lastDecision("a").orElseThrow().desiredInstances()).isEqualTo(8);
  }

  @Test
  void pokeDecidesAtOnceForARequestWaitingAtZero() {
    ManualClock clock = new ManualClock();
    Instances instances = new Instances();
    Map<String, Double> inFlight = new ConcurrentHashMap<>(Map.of("a", 0.0));
    Scaler scaler =
        new Scaler(clock, (rev, metric) -> inFlight.get(rev), instances::ready, instances::scale);
    scaler.register("a", TEN_AT_70);
    for (int s = 0; s < 100; s++) {
      scaler.sample();
      scaler.decide();
      clock.advance(Duration.ofSeconds(1));
    }
    assertThat(instances.ready("a")).isZero();

    inFlight.put("a", 1.0);
    clock.advance(Duration.ofMillis(300));
    scaler.poke("a");

    assertThat(instances.ready("a")).isEqualTo(1);
    assertThat(scaler.lastDecision("a").orElseThrow().reason()).startsWith("stable:");
  }

  @Test
  void aFailingSourceDoesNotStopTheOtherRevisions() {
    ManualClock clock = new ManualClock();
    Instances instances = new Instances();
    Scaler scaler =
        new Scaler(
            clock,
            (rev, metric) -> {
              if (rev.equals("broken")) {
                throw new IllegalStateException("router gone");
              }
              return 20.0;
            },
            instances::ready,
            instances::scale);
    scaler.register("broken", TEN_AT_70);
    scaler.register("ok", TEN_AT_70);

    scaler.sample();
    scaler.decide();

    assertThat(instances.ready("ok")).isEqualTo(3);
  }

  @Test
  void startedScalerTicksOnItsOwnThread() throws Exception {
    Instances instances = new Instances();
    CountDownLatch scaledToEight = new CountDownLatch(1);
    try (Scaler scaler =
        new Scaler(
            Clock.systemUTC(),
            (rev, metric) -> 50.0,
            instances::ready,
            (rev, d) -> {
              instances.scale(rev, d);
              if (d.desiredInstances() == 8) {
                scaledToEight.countDown();
              }
            })) {
      scaler.register("a", TEN_AT_70);
      scaler.start(Duration.ofMillis(10), Duration.ofMillis(50));

      assertThat(scaledToEight.await(10, TimeUnit.SECONDS)).isTrue();
    }
  }
}
