package dev.pylon.control.daemon;

import dev.pylon.router.Backend;
import dev.pylon.router.Route;
import dev.pylon.router.RoutingSnapshot;
import dev.pylon.router.Upstream;
import dev.pylon.runtime.ReadyInstance;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The router's snapshot from the serving plans and the instances that are ready: {@code
 * SERVICE.localhost} splits by weight, {@code TAG---SERVICE.localhost} goes to the tagged revision,
 * and with a default service every other host goes to it. A revision of a service whose min is 0
 * and that has no ready instance is marked activating: the router holds its requests while the
 * autoscaler starts one.
 */
final class RoutingTable {
  static final String DOMAIN = "localhost";

  private RoutingTable() {}

  static String serviceHost(String service) {
    return service + "." + DOMAIN;
  }

  static String tagHost(String tag, String service) {
    return tag + "---" + service + "." + DOMAIN;
  }

  /** The snapshot when only the ready instances are known (every other revision has none). */
  static RoutingSnapshot snapshot(
      List<ServingPlan> plans,
      Map<String, List<ReadyInstance>> ready,
      Set<String> http2Revisions,
      Optional<String> defaultService) {
    Map<String, RevisionHealth> health = new HashMap<>();
    ready.forEach((id, instances) -> health.put(id, RevisionHealth.ready(instances)));
    return snapshot(plans, health, Map.of(), http2Revisions, defaultService, id -> "");
  }

  /**
   * The router's snapshot. A revision without a ready instance is activating (requests wait in its
   * queue, up to the queue timeout) when an instance is starting or will start (it should run
   * instances: they start, or restart after their delay) or when its service may scale to zero;
   * when every one of its instances is in a crash loop, requests get 503 at once, saying so and
   * where its output is.
   *
   * @param instances how many instances each revision should run
   * @param whereToLook where a revision's output can be read
   */
  static RoutingSnapshot snapshot(
      List<ServingPlan> plans,
      Map<String, RevisionHealth> health,
      Map<String, Integer> instances,
      Set<String> http2Revisions,
      Optional<String> defaultService,
      Function<String, String> whereToLook) {
    List<Route> routes = new ArrayList<>();
    for (ServingPlan plan : plans) {
      Function<String, Backend> backend =
          revision ->
              backend(
                  revision,
                  health.getOrDefault(revision, RevisionHealth.NONE),
                  instances.getOrDefault(revision, 0),
                  http2Revisions.contains(revision),
                  plan.scaling(),
                  whereToLook);
      List<Backend> split = new ArrayList<>();
      plan.weights()
          .forEach(
              (revision, percent) -> {
                Backend b = backend.apply(revision);
                split.add(
                    new Backend(b.name(), percent, b.upstreams(), b.activating(), b.unavailable()));
              });
      if (!split.isEmpty()) {
        routes.add(new Route(serviceHost(plan.service()), "/", split));
        if (defaultService.filter(plan.service()::equals).isPresent()) {
          routes.add(new Route(Route.ANY_HOST, "/", split));
        }
      }
      plan.tags()
          .forEach(
              (tag, revision) ->
                  routes.add(
                      new Route(
                          tagHost(tag, plan.service()), "/", List.of(backend.apply(revision)))));
    }
    return new RoutingSnapshot(routes);
  }

  /**
   * The router's name for an instance: its name and port, so a revision started again (same
   * instance names) never shares in-flight counts with its predecessor that is still draining.
   */
  static String upstreamId(ReadyInstance instance) {
    return instance.name() + "@" + instance.port();
  }

  private static Backend backend(
      String revision,
      RevisionHealth health,
      int instances,
      boolean http2,
      Scaling scaling,
      Function<String, String> whereToLook) {
    int concurrency = scaling.concurrency();
    List<Upstream> upstreams =
        health.ready().stream()
            .map(
                i ->
                    http2
                        ? Upstream.h2c(upstreamId(i), i.host(), i.port(), concurrency)
                        : new Upstream(upstreamId(i), i.host(), i.port(), concurrency))
            .toList();
    if (!upstreams.isEmpty()) {
      return new Backend(revision, 100, upstreams, false);
    }
    if (health.inCrashLoop()) {
      String where = whereToLook.apply(revision);
      return new Backend(
          revision,
          100,
          upstreams,
          false,
          "revision "
              + revision
              + " is in a crash loop ("
              + health.crashLoop()
              + ")"
              + (where.isEmpty() ? "" : "; " + where));
    }
    return new Backend(revision, 100, upstreams, scaling.min() == 0 || instances > 0);
  }
}
