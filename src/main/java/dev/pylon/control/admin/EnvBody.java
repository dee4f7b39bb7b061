package dev.pylon.control.admin;

import java.util.List;
import java.util.Map;

/** {@code POST /v1/services/NAME/env}: variables to set and to unset. */
public record EnvBody(Map<String, String> set, List<String> unset) {
  public EnvBody {
    set = set == null ? Map.of() : set;
    unset = unset == null ? List.of() : List.copyOf(unset);
  }
}
