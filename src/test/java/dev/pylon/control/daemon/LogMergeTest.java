package dev.pylon.control.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pylon.control.admin.LogLineView;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code pylon logs}: several revisions' last lines as one list by time. */
class LogMergeTest {
  private static LogLineView line(String time, String revision, String message) {
    return new LogLineView(time, revision + "-1", "stdout", "DEFAULT", message, Map.of(), revision);
  }

  @Test
  void linesOfSeveralRevisionsAreOrderedByTimeAndTheNewestKept() {
    List<LogLineView> all =
        List.of(
            line("2026-12-04T10:00:01Z", "a", "a1"),
            line("2026-12-04T10:00:03Z", "a", "a2"),
            line("2026-12-04T10:00:02Z", "b", "b1"),
            line("2026-12-04T10:00:04Z", "b", "b2"));

    assertThat(LogMerge.newest(all, 3))
        .extracting(LogLineView::message)
        .containsExactly("b1", "a2", "b2");
    assertThat(LogMerge.newest(all, 10)).hasSize(4);
  }

  @Test
  void linesOfTheSameInstantKeepTheirOrder() {
    List<LogLineView> all =
        List.of(
            line("2026-12-04T10:00:01Z", "a", "first"),
            line("2026-12-04T10:00:01Z", "a", "second"));

    assertThat(LogMerge.newest(all, 2))
        .extracting(LogLineView::message)
        .containsExactly("first", "second");
  }
}
