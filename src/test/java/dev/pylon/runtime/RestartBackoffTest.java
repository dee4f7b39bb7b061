package dev.pylon.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RestartBackoffTest {
  private Instant now = Instant.parse("2026-11-23T12:00:00Z");
  private final RestartBackoff backoff = new RestartBackoff(RestartBackoff.Policy.defaults());

  /** The instance ran for {@code upFor} on the fake clock, then exited. */
  private Duration runFor(Duration upFor) {
    Instant started = now;
    now = now.plus(upFor);
    Duration delay = backoff.delayAfterExit(started, now);
    now = now.plus(delay);
    return delay;
  }

  @Test
  void doublesFromOneSecondUpToFiveMinutes() {
    Duration brief = Duration.ofSeconds(2);
    assertThat(runFor(brief)).isEqualTo(Duration.ofSeconds(1));
    assertThat(runFor(brief)).isEqualTo(Duration.ofSeconds(2));
    assertThat(runFor(brief)).isEqualTo(Duration.ofSeconds(4));
    for (int i = 0; i < 6; i++) { // 8, 16, ... 256 s
      runFor(brief);
    }
    assertThat(runFor(brief)).isEqualTo(Duration.ofMinutes(5));
    assertThat(runFor(brief)).isEqualTo(Duration.ofMinutes(5));
    assertThat(backoff.failuresInARow()).isEqualTo(11);
  }

  @Test
  void aRunThatStaysUpResetsTheDelay() {
    runFor(Duration.ofSeconds(1));
    runFor(Duration.ofSeconds(1));
    assertThat(runFor(Duration.ofSeconds(59))).isEqualTo(Duration.ofSeconds(4));

    assertThat(runFor(Duration.ofMinutes(1))).isEqualTo(Duration.ofSeconds(1));
    assertThat(backoff.failuresInARow()).isEqualTo(1);
    assertThat(runFor(Duration.ofSeconds(3))).isEqualTo(Duration.ofSeconds(2));
  }
}
