package dev.pylon.control.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogFollowerTest {
  private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

  private static LogEntry at(Instant time, String message) {
    return new LogEntry(
        time.toString(), "hello-00001-abc", "hello-00001-abc-1", "DEFAULT", message);
  }

  @Test
  void linesThePageShowedAreNotSentAgainAndNewOnesAreSentOnce() {
    LogFollower.Cursor cursor = new LogFollower.Cursor(T);
    LogEntry shown = at(T, "shown by the page");
    LogEntry older = at(T.minusSeconds(1), "older");
    assertThat(cursor.next(List.of(older, shown))).isEmpty();
    LogEntry first = at(T.plusMillis(5), "first");
    assertThat(cursor.next(List.of(older, shown, first))).containsExactly(first);
    assertThat(cursor.next(List.of(older, shown, first))).isEmpty();
    // Another line at the same instant as the last one sent is still new.
    LogEntry twin = at(T.plusMillis(5), "twin");
    LogEntry later = at(T.plusSeconds(1), "later");
    assertThat(cursor.next(List.of(first, twin, later))).containsExactly(twin, later);
  }

  @Test
  void timesWithDifferentPrecisionCompareAsInstants() {
    // "…00Z" sorts after "…00.5Z" as text; as instants it is earlier.
    LogFollower.Cursor cursor = new LogFollower.Cursor(T);
    LogEntry half = at(T.plusMillis(500), "half a second later");
    assertThat(half.time()).isEqualTo("2026-01-01T00:00:00.500Z");
    assertThat(cursor.next(List.of(half))).containsExactly(half);
    assertThat(cursor.next(List.of(at(T, "the start"), half))).isEmpty();
  }
}
