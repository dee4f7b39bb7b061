package dev.pylon.control.daemon;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pylon.control.admin.LogLineView;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * {@code pylon logs}: the last lines of several revisions' logs as one list, oldest first, each
 * saying its revision.
 */
final class LogMerge {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RevisionLogs logs;

  LogMerge(RevisionLogs logs) {
    this.logs = logs;
  }

  /** The last {@code lines} lines the {@code revisions}' instances wrote, by time. */
  List<LogLineView> tail(List<String> revisions, int lines) throws IOException {
    List<LogLineView> all = new ArrayList<>();
    for (String revision : revisions) {
      for (String line : logs.tail(revision, lines)) {
        all.add(JSON.readValue(line, LogLineView.class).fromRevision(revision));
      }
    }
    return newest(all, lines);
  }

  /** The newest {@code lines} of {@code all}, sorted by time (a stable sort: ties keep order). */
  static List<LogLineView> newest(List<LogLineView> all, int lines) {
    List<LogLineView> sorted = new ArrayList<>(all);
    sorted.sort(Comparator.comparing(line -> Objects.toString(line.time(), "")));
    return List.copyOf(sorted.subList(Math.max(0, sorted.size() - lines), sorted.size()));
  }
}
