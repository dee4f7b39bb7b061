package dev.pylon.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One line an instance wrote, as Cloud Logging would keep it: a line that is a JSON object is
 * structured ({@code severity} and {@code message} are its special fields, everything else is kept
 * as fields); any other line is plain text with severity DEFAULT.
 *
 * @param at when Pylon read the line
 * @param instance the instance that wrote it
 * @param stderr whether it came from stderr
 * @param severity DEFAULT, DEBUG, INFO, NOTICE, WARNING, ERROR, CRITICAL, ALERT or EMERGENCY
 *     (upper-cased as given; Cloud Logging's names)
 * @param message the text, or a JSON object's {@code message} field
 * @param fields a JSON object's other fields (values as JSON text), in order; empty for text
 */
public record LogLine(
    Instant at,
    String instance,
    boolean stderr,
    String severity,
    String message,
    Map<String, String> fields) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public LogLine {
    fields = Map.copyOf(fields);
  }

  /** Reads {@code text} as Cloud Logging reads a container's output line. */
  public static LogLine parse(Instant at, String instance, boolean stderr, String text) {
    String trimmed = text.strip();
    if (trimmed.startsWith("{") && trimmed.endsWith("}")) {
      try {
        JsonNode node = JSON.readTree(trimmed);
        if (node instanceof ObjectNode object) {
          JsonNode severity = object.get("severity");
          JsonNode message = object.get("message");
          Map<String, String> fields = new LinkedHashMap<>();
          object
              .properties()
              .forEach(
                  e -> {
                    if (!e.getKey().equals("severity") && !e.getKey().equals("message")) {
                      JsonNode v = e.getValue();
                      fields.put(e.getKey(), v.isTextual() ? v.asText() : v.toString());
                    }
                  });
          return new LogLine(
              at,
              instance,
              stderr,
              severity != null && severity.isTextual()
                  ? severity.asText().toUpperCase(Locale.ROOT)
                  : "DEFAULT",
              message == null ? "" : message.isTextual() ? message.asText() : message.toString(),
              fields);
        }
      } catch (JsonProcessingException notJson) {
        // plain text that happens to look like an object
      }
    }
    return new LogLine(at, instance, stderr, "DEFAULT", text, Map.of());
  }

  /** This line as one JSON object: time, instance, stream, severity, message, then the fields. */
  public String toJson() {
    ObjectNode node = JSON.createObjectNode();
    node.put("time", at.toString());
    node.put("instance", instance);
    node.put("stream", stderr ? "stderr" : "stdout");
    node.put("severity", severity);
    node.put("message", message);
    fields.forEach(node::put);
    return node.toString();
  }
}
