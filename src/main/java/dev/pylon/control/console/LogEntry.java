package dev.pylon.control.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pylon.control.daemon.RevisionRecord;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One line an instance wrote, as the revision logs keep it (JSON: time, instance, stream, severity,
 * message), with its revision; ordered by time as {@code pylon logs} merges them.
 */
record LogEntry(String time, String revision, String instance, String severity, String message) {
  private static final ObjectMapper JSON = new ObjectMapper();

  static LogEntry parse(String revision, String jsonLine) {
    try {
      JsonNode node = JSON.readTree(jsonLine);
      return new LogEntry(
          node.path("time").asText(""),
          revision,
          node.path("instance").asText(""),
          node.path("severity").asText("DEFAULT"),
          node.path("message").asText(""));
    } catch (IOException e) {
      return new LogEntry("", revision, "", "DEFAULT", jsonLine);
    }
  }

  /** The last {@code lines} lines of all the revisions, oldest first. */
  static List<LogEntry> merged(ConsoleBackend backend, List<RevisionRecord> revisions, int lines) {
    List<LogEntry> all = new ArrayList<>();
    for (RevisionRecord revision : revisions) {
      for (String line : backend.logTail(revision.id(), lines)) {
        all.add(parse(revision.id(), line));
      }
    }
    all.sort(Comparator.comparing(LogEntry::at));
    return new ArrayList<>(all.subList(Math.max(0, all.size() - lines), all.size()));
  }

  /** When the line was read; the epoch for a line without a readable time. */
  Instant at() {
    try {
      return Instant.parse(time);
    } catch (DateTimeParseException e) {
      return Instant.EPOCH;
    }
  }

  /** The line as the log view shows it. */
  String html() {
    return "<span class=\"line sev-"
        + Html.esc(severity.toLowerCase(java.util.Locale.ROOT))
        + "\"><time>"
        + Html.esc(time)
        + "</time> <i>"
        + Html.esc(instance)
        + "</i> "
        + Html.esc(message)
        + "</span>\n";
  }

  /** The line as one Server-Sent Event's data. */
  String json() {
    ObjectNode node = JSON.createObjectNode();
    node.put("time", time);
    node.put("revision", revision);
    node.put("instance", instance);
    node.put("severity", severity);
    node.put("message", message);
    return node.toString();
  }
}
