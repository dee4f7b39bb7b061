package dev.pylon.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pylon.router.Admission.Decision;
import dev.pylon.router.Admission.Situation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which requests get an instance, wait, or are turned away, and with which words. */
class AdmissionTest {
  @ParameterizedTest(name = "routed={0} ready={1} activating={2} claimed={3} untried={4}: {5}")
  @CsvSource({
    // no route, or nothing ready and nothing will start: 503 at once
    "false, 0, false, false, false, 503 no instance is ready (Retry-After 1)",
    "false, 2, false, false, true,  503 no instance is ready (Retry-After 1)",
    "true,  0, false, false, false, 503 no instance is ready (Retry-After 1)",
    // scaled to zero: wait, and have an instance started
    "true,  0, true,  false, false, queue and activate",
    // a slot was claimed
    "true,  2, false, true,  true,  pick",
    "true,  1, true,  true,  true,  pick",
    // every instance busy: wait
    "true,  2, false, false, true,  queue",
    "true,  1, true,  false, true,  queue",
    // every instance failed this request already
    "true,  2, false, false, false, 502 no instance could be reached",
  })
  void decides(
      boolean routed,
      int ready,
      boolean activating,
      boolean claimed,
      boolean untried,
      String expected) {
    assertThat(
            describe(Admission.decide(new Situation(routed, ready, activating, claimed, untried))))
        .isEqualTo(expected);
  }

  @Test
  void overEveryCombinationARequestIsPickedOnlyWithASlotAndQueuedOnlyForARevisionThatCanServe() {
    for (boolean routed : new boolean[] {false, true}) {
      for (int ready = 0; ready <= 2; ready++) {
        for (boolean activating : new boolean[] {false, true}) {
          for (boolean claimed : new boolean[] {false, true}) {
            for (boolean untried : new boolean[] {false, true}) {
              Situation s = new Situation(routed, ready, activating, claimed, untried);
              Decision d = Admission.decide(s);
              if (d instanceof Decision.Pick) {
                assertThat(claimed && routed).as(s.toString()).isTrue();
              }
              if (d instanceof Decision.Queue q) {
                assertThat(routed && (ready > 0 || activating)).as(s.toString()).isTrue();
                assertThat(q.activate()).isEqualTo(ready == 0);
              }
              if (d instanceof Decision.Reject r && r.status() == 503) {
                assertThat(r.retryAfterSeconds()).isPositive();
              }
            }
          }
        }
      }
    }
  }

  @Test
  void aRevisionInACrashLoopAnswers503AtOnceSayingWhy() {
    String why = "revision web-00002 keeps crashing; its output is in pylon logs web";
    assertThat(describe(Admission.decide(new Situation(true, 0, true, false, false, why))))
        .isEqualTo("503 " + why + " (Retry-After 5)");
    // an instance that is ready again serves, whatever the last word on the revision was
    assertThat(describe(Admission.decide(new Situation(true, 1, false, true, true, why))))
        .isEqualTo("pick");
  }

  @Test
  void theQueueTimeoutSaysWhetherTheRevisionFailedToStartOrWasBusy() {
    assertThat(describe(Admission.timedOut("web-00002", 0, 30)))
        .isEqualTo(
            "503 revision web-00002 could not start an instance within 30 s (Retry-After 5)");
    assertThat(describe(Admission.timedOut("web-00002", 3, 30)))
        .isEqualTo("503 every instance stayed busy for 30 s (Retry-After 1)");
    assertThat(describe(Admission.timedOut(null, 0, 30)))
        .isEqualTo("503 every instance stayed busy for 30 s (Retry-After 1)");
    assertThat(describe(Admission.QUEUE_FULL))
        .isEqualTo("503 every instance is busy and the queue is full (Retry-After 1)");
  }

  private static String describe(Decision d) {
    return switch (d) {
      case Decision.Pick p -> "pick";
      case Decision.Queue q -> q.activate() ? "queue and activate" : "queue";
      case Decision.Reject r ->
          r.status()
              + " "
              + r.text()
              + (r.retryAfterSeconds() > 0 ? " (Retry-After " + r.retryAfterSeconds() + ")" : "");
    };
  }
}
