package dev.pylon.control.daemon;

import dev.pylon.router.RoutingSnapshot;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * What should run and what the router should see, decided from the store, the autoscaler's counts
 * and the instances' health, without doing any of it: the {@link Reconciler} applies it.
 *
 * @param plans each service's traffic, "latest" resolved
 * @param revisions every revision that must run: those with a share or a tag, and those a deploy
 *     holds
 * @param instances how many instances each of them runs
 * @param http2 those whose instances speak h2c
 */
record DesiredState(
    List<ServingPlan> plans,
    Map<String, RevisionRecord> revisions,
    Map<String, Integer> instances,
    Set<String> http2) {
  static final DesiredState NOTHING = new DesiredState(List.of(), Map.of(), Map.of(), Set.of());

  DesiredState {
    plans = List.copyOf(plans);
    revisions = Map.copyOf(revisions);
    instances = Map.copyOf(instances);
    http2 = Set.copyOf(http2);
  }

  /** A service with its revisions, as the store has them. */
  record StoredService(ServiceRecord service, List<RevisionRecord> revisions) {
    StoredService {
      revisions = List.copyOf(revisions);
    }
  }

  /**
   * A serving (or tagged) revision runs what its autoscaler wants, or the service's starting count
   * before the autoscaler decided; one a deploy holds runs at least one instance (even when it
   * idled to zero) so the deploy can see it ready; a held revision without traffic runs the
   * service's fixed count ({@link Scaling#instances}).
   *
   * @param held revisions a deploy or a traffic change waits for
   * @param scaled the autoscaler's count per revision it scales
   */
  static DesiredState desired(
      List<StoredService> services, Set<String> held, Map<String, Integer> scaled) {
    List<ServingPlan> plans = new ArrayList<>();
    Map<String, RevisionRecord> revisions = new LinkedHashMap<>();
    Map<String, Integer> instances = new LinkedHashMap<>();
    Set<String> http2 = new HashSet<>();
    for (StoredService stored : services) {
      ServingPlan plan = ServingPlan.of(stored.service(), stored.revisions());
      plans.add(plan);
      Scaling scaling = stored.service().scaling();
      for (RevisionRecord revision : stored.revisions()) {
        String id = revision.id();
        boolean serving = plan.revisions().contains(id);
        if (!serving && !held.contains(id)) {
          continue;
        }
        revisions.put(id, revision);
        if (revision.launch().http2()) {
          http2.add(id);
        }
        if (serving) {
          int count = scaled.getOrDefault(id, scaling.instances());
          instances.put(id, held.contains(id) ? Math.max(1, count) : count);
        } else {
          instances.put(id, scaling.instances());
        }
      }
    }
    return new DesiredState(plans, revisions, instances, http2);
  }

  /** The revisions that serve traffic (a share or a tag), which the autoscaler scales. */
  Set<String> serving() {
    Set<String> ids = new HashSet<>();
    plans.forEach(plan -> ids.addAll(plan.revisions()));
    return ids;
  }

  /**
   * The router's snapshot for the instances' health now: see {@link RoutingTable#snapshot}.
   *
   * @param whereToLook where a revision's output can be read, said when it is in a crash loop
   */
  RoutingSnapshot routes(
      Map<String, RevisionHealth> health,
      Optional<String> defaultService,
      Function<String, String> whereToLook) {
    return RoutingTable.snapshot(plans, health, instances, http2, defaultService, whereToLook);
  }
}
