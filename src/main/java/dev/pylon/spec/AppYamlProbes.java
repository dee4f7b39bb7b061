package dev.pylon.spec;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Reads app.yaml's {@code readiness_check} and {@code liveness_check}, with App Engine's defaults.
 */
final class AppYamlProbes {
  private static final Set<String> LIVENESS =
      Set.of(
          "path",
          "check_interval_sec",
          "timeout_sec",
          "failure_threshold",
          "success_threshold",
          "initial_delay_sec");
  private static final Set<String> READINESS =
      Set.of(
          "path",
          "check_interval_sec",
          "timeout_sec",
          "failure_threshold",
          "success_threshold",
          "app_start_timeout_sec");

  private final String name;
  private final List<SpecProblem> errors;
  private final List<SpecProblem> warnings;
  private final YamlFields fields;
  private final KeyCheck keys;

  AppYamlProbes(
      String name,
      List<SpecProblem> errors,
      List<SpecProblem> warnings,
      YamlFields fields,
      KeyCheck keys) {
    this.name = name;
    this.errors = errors;
    this.warnings = warnings;
    this.fields = fields;
    this.keys = keys;
  }

  Optional<Probe> probe(YamlNode.Entry e, boolean liveness) {
    Optional<YamlNode.Mapping> m = fields.mapping(e);
    if (m.isEmpty()) {
      return Optional.empty();
    }
    YamlNode.Mapping p = m.get();
    keys.check(p, e.key(), liveness ? LIVENESS : READINESS, Map.of(), Map.of(), true);
    Optional<String> path = p.entry("path").flatMap(fields::string);
    path.ifPresent(
        s -> {
          if (!s.startsWith("/")) {
            errors.add(
                p.entry("path")
                    .orElseThrow()
                    .value()
                    .origin()
                    .problem(
                        e.key() + ".path must start with /, got `" + s + "`",
                        "write `/" + s + "`"));
          }
        });
    int interval =
        intOr(
            p,
            "check_interval_sec",
            1,
            300,
            liveness ? Defaults.GAE_LIVENESS_INTERVAL_SEC : Defaults.GAE_READINESS_INTERVAL_SEC);
    int timeout =
        intOr(
            p,
            "timeout_sec",
            1,
            300,
            liveness ? Defaults.GAE_LIVENESS_TIMEOUT_SEC : Defaults.GAE_READINESS_TIMEOUT_SEC);
    int failures =
        intOr(
            p,
            "failure_threshold",
            1,
            10,
            liveness
                ? Defaults.GAE_LIVENESS_FAILURE_THRESHOLD
                : Defaults.GAE_READINESS_FAILURE_THRESHOLD);
    int successes =
        intOr(
            p,
            "success_threshold",
            1,
            10,
            liveness
                ? Defaults.GAE_LIVENESS_SUCCESS_THRESHOLD
                : Defaults.GAE_READINESS_SUCCESS_THRESHOLD);
    int initialDelay =
        liveness
            ? intOr(p, "initial_delay_sec", 0, 3600, Defaults.GAE_LIVENESS_INITIAL_DELAY_SEC)
            : 0;
    int startTimeout =
        liveness
            ? Defaults.GAE_APP_START_TIMEOUT_SEC
            : intOr(p, "app_start_timeout_sec", 1, 1800, Defaults.GAE_APP_START_TIMEOUT_SEC);
    if (timeout > interval) {
      YamlNode.Entry t = p.entry("timeout_sec").or(() -> p.entry("check_interval_sec")).orElse(e);
      errors.add(
          t.value()
              .origin()
              .problem(
                  e.key()
                      + ": timeout_sec ("
                      + timeout
                      + ") is longer than check_interval_sec ("
                      + interval
                      + ")",
                  "make timeout_sec at most check_interval_sec"));
    }
    if (path.isEmpty()) {
      warnings.add(
          e.keyOrigin()
              .problem(
                  e.key()
                      + " has no path, so (as on App Engine) the check does not reach the"
                      + " app: Pylon only checks that the port accepts connections",
                  "add `path: /healthz` (a URL your app answers with 200) to check the app"
                      + " itself"));
    }
    return Optional.of(
        new Probe(
            path,
            Duration.ofSeconds(initialDelay),
            Duration.ofSeconds(interval),
            Duration.ofSeconds(timeout),
            failures,
            successes,
            Duration.ofSeconds(startTimeout),
            name
                + " "
                + e.key()
                + " (line "
                + e.keyOrigin().line()
                + "), App Engine defaults for what it leaves out"));
  }

  int intOr(YamlNode.Mapping m, String key, int min, int max, int fallback) {
    Optional<YamlNode.Entry> e = m.entry(key);
    if (e.isEmpty()) {
      return fallback;
    }
    OptionalInt v = fields.integer(e.get(), min);
    if (v.isPresent() && v.getAsInt() > max) {
      errors.add(
          e.get()
              .value()
              .origin()
              .problem(
                  "`" + key + "` must be at most " + max + ", got " + v.getAsInt(),
                  "use a value from " + min + " to " + max));
      return fallback;
    }
    return v.orElse(fallback);
  }
}
