package dev.pylon.control.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import java.util.Map;

/**
 * {@code PUT /v1/services/NAME/traffic}: either {@code toLatest}, or shares by revision and/or by
 * tag (a tag names a revision), adding up to 100.
 */
@JsonInclude(Include.NON_NULL)
public record TrafficBody(
    Boolean toLatest, Map<String, Integer> percents, Map<String, Integer> tagPercents) {
  public static TrafficBody latest() {
    return new TrafficBody(true, null, null);
  }

  public static TrafficBody byRevision(Map<String, Integer> percents) {
    return new TrafficBody(null, percents, null);
  }

  public static TrafficBody byTag(Map<String, Integer> percents) {
    return new TrafficBody(null, null, percents);
  }
}
