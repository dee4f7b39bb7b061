package dev.pylon.revision;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a build did, for the person who asked for it and for {@code --json}: the steps with their
 * durations, which caches hit, and the sizes of what was made.
 *
 * @param service the service built
 * @param revisionId the revision, empty when the build failed before it had one
 * @param steps the steps in the order they ran
 * @param environmentReused whether the virtualenv came from the cache (false also when none was
 *     needed)
 * @param snapshotReused whether the same source had been built before
 * @param sourceFiles files in the revision
 * @param sourceBytes their size, bytecode not counted
 * @param environmentBytes the size of the virtualenv (0 when none)
 * @param total the whole build's duration
 */
public record BuildSummary(
    String service,
    Optional<String> revisionId,
    List<StepTiming> steps,
    boolean environmentReused,
    boolean snapshotReused,
    int sourceFiles,
    long sourceBytes,
    long environmentBytes,
    Duration total) {

  public BuildSummary {
    steps = List.copyOf(steps);
  }

  /** Whether nothing had to be built: the same source and dependencies were built before. */
  public boolean fullyCached() {
    return snapshotReused && steps.stream().noneMatch(step -> step.outcome().equals("built"));
  }

  /**
   * The summary as plain values (strings, numbers, booleans, lists, maps) for {@code --json}:
   * durations in milliseconds, an absent revision as null.
   */
  public Map<String, Object> toJsonMap() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("service", service);
    json.put("revision", revisionId.orElse(null));
    List<Map<String, Object>> stepList = new ArrayList<>();
    for (StepTiming step : steps) {
      Map<String, Object> item = new LinkedHashMap<>();
      item.put("name", step.name());
      item.put("outcome", step.outcome());
      item.put("millis", step.took().toMillis());
      stepList.add(item);
    }
    json.put("steps", stepList);
    json.put("environmentReused", environmentReused);
    json.put("snapshotReused", snapshotReused);
    json.put("sourceFiles", sourceFiles);
    json.put("sourceBytes", sourceBytes);
    json.put("environmentBytes", environmentBytes);
    json.put("totalMillis", total.toMillis());
    return json;
  }
}
