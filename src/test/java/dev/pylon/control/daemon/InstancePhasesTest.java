package dev.pylon.control.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pylon.runtime.InstanceEvent;
import dev.pylon.runtime.InstanceEvent.Kind;
import dev.pylon.runtime.ReadyInstance;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A revision's health as its instances' events tell it. */
class InstancePhasesTest {
  private final InstancePhases phases = new InstancePhases();

  @Test
  void aNewSetHasNoInstanceAndNoCrashLoop() {
    assertThat(phases.health()).isEqualTo(RevisionHealth.NONE);
    assertThat(phases.health().inCrashLoop()).isFalse();
  }

  @Test
  void startingInstancesCountOnceEach() {
    on(Kind.STARTING, "web-1");
    on(Kind.STARTING, "web-2");
    on(Kind.EXITED, "web-2");
    on(Kind.RESTARTING, "web-2");
    assertThat(phases.health().instances()).isEqualTo(2);
    assertThat(phases.health().crashLooping()).isZero();
  }

  @Test
  void aCrashLoopOfTheOnlyInstanceIsSaidOnceAndEndsWhenItIsReady() {
    on(Kind.STARTING, "web-1");
    on(Kind.EXITED, "web-1");
    assertThat(phases.event(event(Kind.CRASH_LOOP, "web-1", "5 exits in a row"))).isTrue();
    assertThat(phases.health().inCrashLoop()).isTrue();
    assertThat(phases.health().crashLoop()).isEqualTo("5 exits in a row");
    // its restarts keep it in the loop
    assertThat(on(Kind.RESTARTING, "web-1")).isFalse();
    assertThat(on(Kind.STARTING, "web-1")).isFalse();
    assertThat(phases.health().inCrashLoop()).isTrue();
    assertThat(on(Kind.READY, "web-1")).isTrue();
    phases.ready(List.of(new ReadyInstance("web-1", "127.0.0.1", 4000)));
    assertThat(phases.health().inCrashLoop()).isFalse();
    assertThat(phases.health().crashLooping()).isZero();
  }

  @Test
  void oneCrashingInstanceOfTwoIsNoCrashLoopOfTheRevision() {
    on(Kind.STARTING, "web-1");
    on(Kind.STARTING, "web-2");
    assertThat(phases.event(event(Kind.CRASH_LOOP, "web-1", "x"))).isFalse();
    assertThat(phases.health().inCrashLoop()).isFalse();
    assertThat(phases.event(event(Kind.CRASH_LOOP, "web-2", "y"))).isTrue();
    assertThat(phases.health().inCrashLoop()).isTrue();
    assertThat(phases.health().crashLoop()).isEqualTo("y");
  }

  @Test
  void aReadyInstanceMeansNoCrashLoopWhateverTheOthersDo() {
    on(Kind.STARTING, "web-1");
    on(Kind.STARTING, "web-2");
    phases.ready(List.of(new ReadyInstance("web-2", "127.0.0.1", 4001)));
    on(Kind.READY, "web-2");
    on(Kind.CRASH_LOOP, "web-1");
    assertThat(phases.health().inCrashLoop()).isFalse();
    assertThat(phases.health().ready()).hasSize(1);
  }

  @Test
  void aStoppedInstanceNoLongerCounts() {
    on(Kind.STARTING, "web-1");
    on(Kind.STARTING, "web-2");
    on(Kind.CRASH_LOOP, "web-1");
    assertThat(on(Kind.STOPPED, "web-2")).isTrue(); // scaled down: only the crashing one is left
    assertThat(phases.health().instances()).isEqualTo(1);
    assertThat(phases.health().inCrashLoop()).isTrue();
    on(Kind.STOPPED, "web-1");
    assertThat(phases.health()).isEqualTo(new RevisionHealth(List.of(), 0, 0, "x"));
    assertThat(phases.health().inCrashLoop()).isFalse();
  }

  @Test
  void otherEventsKeepAnInstanceCountedAndWarningsAreAboutNoInstance() {
    for (Kind kind :
        List.of(
            Kind.UNREADY,
            Kind.LIVENESS_FAILED,
            Kind.MEMORY_LIMIT,
            Kind.FAILED_TO_START,
            Kind.EXITED,
            Kind.RESTARTING)) {
      on(kind, "web-1");
    }
    on(Kind.WARNING, "web");
    assertThat(phases.health().instances()).isEqualTo(1);
  }

  private boolean on(Kind kind, String instance) {
    return phases.event(event(kind, instance, "x"));
  }

  private static InstanceEvent event(Kind kind, String instance, String detail) {
    return new InstanceEvent(Instant.EPOCH, instance, kind, detail);
  }
}
