package dev.pylon.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Outlier ejection: when an instance that stopped answering leaves the rotation and comes back. */
class UpstreamHealthTest {
  private static final long S = 1_000_000_000L;
  private static final Duration BASE = Duration.ofSeconds(2);

  @Test
  void aTimeoutWithNoAnswerSinceTheRequestWasSentEjectsForTheBaseTime() {
    UpstreamHealth h = UpstreamHealth.NEW.answered(10 * S).timedOut(20 * S, 50 * S, BASE);
    assertThat(h.ejected()).isTrue();
    assertThat(h.admits(51 * S, 0)).isFalse();
    assertThat(h.admits(52 * S, 0)).isTrue(); // a trial request
    assertThat(h.admits(52 * S, 1)).isFalse(); // one trial at a time
  }

  @Test
  void anInstanceThatNeverAnsweredIsEjectedToo() {
    assertThat(UpstreamHealth.NEW.timedOut(20 * S, 50 * S, BASE).ejected()).isTrue();
  }

  @Test
  void aSlowRequestWhileTheInstanceAnswersOthersEjectsNothing() {
    UpstreamHealth h = UpstreamHealth.NEW.answered(30 * S).timedOut(20 * S, 50 * S, BASE);
    assertThat(h.ejected()).isFalse();
    assertThat(h.admits(50 * S, 7)).isTrue();
  }

  @Test
  void ejectionsInARowLastLongerUpToFiveMinutes() {
    UpstreamHealth h = UpstreamHealth.NEW.timedOut(0, 10 * S, BASE);
    h = h.timedOut(11 * S, 20 * S, BASE);
    assertThat(h.ejections()).isEqualTo(2);
    assertThat(h.admits(23 * S, 0)).isFalse();
    assertThat(h.admits(24 * S, 0)).isTrue();
    long t = 100 * S;
    for (int i = 0; i < 500; i++) {
      t += UpstreamHealth.MAX_EJECTION.toNanos() + S; // each trial request times out too
      h = h.timedOut(t - S, t, BASE);
    }
    assertThat(h.ejectedUntilNanos() - t).isEqualTo(UpstreamHealth.MAX_EJECTION.toNanos());
  }

  @Test
  void theOtherRequestsItHeldTimingOutDoNotLengthenTheEjection() {
    UpstreamHealth h = UpstreamHealth.NEW.timedOut(0, 10 * S, BASE);
    assertThat(h.timedOut(S, 10 * S + 5, BASE)).isSameAs(h);
    assertThat(h.timedOut(2 * S, 11 * S, BASE)).isSameAs(h);
  }

  @Test
  void anAnswerBringsItBackInFull() {
    UpstreamHealth h = UpstreamHealth.NEW.timedOut(0, 10 * S, BASE).answered(11 * S);
    assertThat(h.ejected()).isFalse();
    assertThat(h.admits(11 * S, 5)).isTrue();
    assertThat(h.timedOut(10 * S, 40 * S, BASE).ejected()).isFalse();
  }

  @Test
  void answersCloseTogetherAreNotRecordedAgain() {
    UpstreamHealth h = UpstreamHealth.NEW.answered(10 * S);
    assertThat(h.answered(10 * S + 1000)).isSameAs(h);
    assertThat(h.answered(10 * S + 2 * UpstreamHealth.ANSWER_RESOLUTION_NANOS)).isNotSameAs(h);
  }

  @Test
  void theBaseEjectionIsTheRequestTimeoutWithinOneToThirtySeconds() {
    assertThat(UpstreamHealth.baseEjection(Duration.ofMillis(200)))
        .isEqualTo(Duration.ofSeconds(1));
    assertThat(UpstreamHealth.baseEjection(Duration.ofSeconds(5))).isEqualTo(Duration.ofSeconds(5));
    assertThat(UpstreamHealth.baseEjection(Duration.ofSeconds(300)))
        .isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void theBalancerPassesAnEjectedInstanceOverWhileAnotherIsInTheRotation() {
    LeastInFlightBalancer balancer = new LeastInFlightBalancer(b -> {}, BASE);
    Backend backend =
        new Backend(
            "r",
            100,
            java.util.List.of(
                new Upstream("hung", "127.0.0.1", 1, 0), new Upstream("ok", "127.0.0.1", 2, 0)));
    Lease first = null;
    while (first == null || !first.upstream().id().equals("hung")) {
      if (first != null) {
        first.release();
      }
      first = balancer.acquire(backend, java.util.Set.of());
    }
    balancer.timedOut(first, System.nanoTime() - S);
    first.release();
    assertThat(balancer.ejected("hung")).isTrue();
    for (int i = 0; i < 50; i++) {
      Lease l = balancer.acquire(backend, java.util.Set.of());
      assertThat(l.upstream().id()).isEqualTo("ok");
      l.release();
    }
    // with the other one tried already, the ejected one is used all the same
    Lease last = balancer.acquire(backend, java.util.Set.of("ok"));
    assertThat(last.upstream().id()).isEqualTo("hung");
    LeastInFlightBalancer.answered(last);
    assertThat(balancer.ejected("hung")).isFalse();
    // replaced by the control plane: a later instance of the same name starts afresh
    balancer.timedOut(last, System.nanoTime() - S);
    balancer.forgetHealthExcept(java.util.Set.of("ok"));
    assertThat(balancer.ejected("hung")).isFalse();
  }
}
