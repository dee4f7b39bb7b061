package dev.pylon.spec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The servers a requirement installs without naming them: {@code fastapi[standard]} brings uvicorn,
 * Quart depends on hypercorn. Only what decides the server is listed; pip resolves the rest.
 */
final class BroughtPackages {
  private static final Pattern NAME_AND_EXTRAS =
      Pattern.compile("^\\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\\s*(?:\\[([^\\]]*)\\])?");

  /** Package (normalized) -> extras ("" for none) -> the packages they bring. */
  private static final Map<String, Map<String, List<String>>> TABLE =
      Map.of(
          // FastAPI's "standard" extra (0.112+) and the older "all" pull in uvicorn[standard].
          "fastapi",
              Map.of(
                  "standard", List.of("uvicorn"),
                  "standard-no-fastapi-cloud-cli", List.of("uvicorn"),
                  "all", List.of("uvicorn")),
          "fastapi-slim", Map.of("standard", List.of("uvicorn"), "all", List.of("uvicorn")),
          "litestar", Map.of("standard", List.of("uvicorn")),
          "quart", Map.of("", List.of("hypercorn")),
          "channels", Map.of("daphne", List.of("daphne")));

  private BroughtPackages() {}

  /**
   * What {@code requirement} (PEP 508, as written) brings, each with the requirement's name and
   * extras ({@code fastapi[standard]}) to say where it comes from.
   */
  static Map<String, String> of(String requirement) {
    Map<String, String> brought = new LinkedHashMap<>();
    Matcher m = NAME_AND_EXTRAS.matcher(requirement);
    if (!m.find()) {
      return brought;
    }
    String name = Dependencies.normalize(m.group(1));
    Map<String, List<String>> byExtra = TABLE.get(name);
    if (byExtra == null) {
      return brought;
    }
    byExtra.getOrDefault("", List.of()).forEach(p -> brought.put(p, m.group(1).strip()));
    if (m.group(2) != null) {
      for (String extra : m.group(2).split(",")) {
        String e = extra.strip().toLowerCase(Locale.ROOT);
        for (String p : byExtra.getOrDefault(e, List.of())) {
          brought.putIfAbsent(p, m.group(1).strip() + "[" + e + "]");
        }
      }
    }
    return brought;
  }
}
