package dev.pylon.control.admin;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The parts of a request URL the admin API and the console read, percent-decoded. */
public final class RequestUrls {
  private RequestUrls() {}

  /** {@code a=1&b=2} as fields in their order; a pair without {@code =} or a name is skipped. */
  public static Map<String, String> fields(String raw) {
    Map<String, String> fields = new LinkedHashMap<>();
    if (raw == null) {
      return fields;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        fields.put(
            URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return fields;
  }

  /** The non-empty segments of a raw path, each decoded. */
  public static List<String> segments(String rawPath) {
    List<String> segments = new ArrayList<>();
    for (String part : rawPath.split("/")) {
      if (!part.isEmpty()) {
        segments.add(URLDecoder.decode(part, StandardCharsets.UTF_8));
      }
    }
    return segments;
  }
}
