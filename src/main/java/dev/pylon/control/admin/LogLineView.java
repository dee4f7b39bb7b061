package dev.pylon.control.admin;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One line an instance wrote ({@code GET /v1/services/NAME/logs}), as the revision's log keeps it
 * (see {@code runtime.LogLine}), with the revision it came from.
 *
 * @param time when Pylon read it (ISO-8601)
 * @param stream "stdout" or "stderr"
 * @param severity Cloud Logging's severity
 * @param fields a structured line's other fields, written between {@code message} and {@code
 *     revision}
 * @param revision the revision whose instance wrote it
 */
@JsonPropertyOrder({"time", "instance", "stream", "severity", "message", "fields", "revision"})
public record LogLineView(
    String time,
    String instance,
    String stream,
    String severity,
    String message,
    @JsonAnyGetter @JsonAnySetter Map<String, String> fields,
    String revision) {
  public LogLineView {
    fields = fields == null ? new LinkedHashMap<>() : new LinkedHashMap<>(fields);
  }

  /** The same line, said to come from {@code id}. */
  public LogLineView fromRevision(String id) {
    return new LogLineView(time, instance, stream, severity, message, fields, id);
  }
}
