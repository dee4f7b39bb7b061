package dev.pylon.control.daemon;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A service's traffic with "latest" resolved to a revision id: what the router needs and which
 * revisions must run.
 *
 * @param service the service name
 * @param weights revision id to percent, only revisions with a share
 * @param tags tag to revision id
 * @param scaling the service's scaling settings
 */
public record ServingPlan(
    String service, Map<String, Integer> weights, Map<String, String> tags, Scaling scaling) {
  public ServingPlan {
    weights = Map.copyOf(weights);
    tags = Map.copyOf(tags);
  }

  /**
   * Resolves the service's traffic against its revisions. A target naming "latest" goes to the
   * newest revision that was ever ready; while there is none, it is left out.
   */
  public static ServingPlan of(ServiceRecord service, List<RevisionRecord> revisions) {
    Optional<String> latest =
        revisions.stream()
            .filter(RevisionRecord::everReady)
            .reduce((a, b) -> b.number() > a.number() ? b : a)
            .map(RevisionRecord::id);
    Map<String, Integer> weights = new LinkedHashMap<>();
    Map<String, String> tags = new LinkedHashMap<>();
    for (TrafficTarget target : service.traffic()) {
      Optional<String> id = target.revision().or(() -> latest);
      if (id.isEmpty()) {
        continue;
      }
      if (target.percent() > 0) {
        weights.merge(id.get(), target.percent(), Integer::sum);
      }
      target.tag().ifPresent(tag -> tags.put(tag, id.get()));
    }
    return new ServingPlan(service.name(), weights, tags, service.scaling());
  }

  /** The revisions that must run: those with a share or a tag. */
  public Set<String> revisions() {
    Set<String> ids = new TreeSet<>(weights.keySet());
    ids.addAll(tags.values());
    return ids;
  }
}
