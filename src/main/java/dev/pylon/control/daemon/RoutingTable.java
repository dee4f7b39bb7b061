package dev.pylon.control.daemon;

import dev.pylon.router.Backend;
import dev.pylon.router.Route;
import dev.pylon.router.RoutingSnapshot;
import dev.pylon.router.Upstream;
import dev.pylon.runtime.ReadyInstance;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

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

  static RoutingSnapshot snapshot(
      List<ServingPlan> plans,
      Map<String, List<ReadyInstance>> ready,
      Set<String> http2Revisions,
      Optional<String> defaultService) {
    List<Route> routes = new ArrayList<>();
    for (ServingPlan plan : plans) {
      int concurrency = plan.scaling().concurrency();
      boolean mayBeAtZero = plan.scaling().min() == 0;
      List<Backend> split = new ArrayList<>();
      plan.weights()
          .forEach(
              (revision, percent) ->
                  split.add(
                      backend(ready, http2Revisions, revision, percent, concurrency, mayBeAtZero)));
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
                          tagHost(tag, plan.service()),
                          "/",
                          List.of(
                              backend(
                                  ready,
                                  http2Revisions,
                                  revision,
                                  100,
                                  concurrency,
                                  mayBeAtZero)))));
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
      Map<String, List<ReadyInstance>> ready,
      Set<String> http2Revisions,
      String revision,
      int weight,
      int concurrency,
      boolean mayBeAtZero) {
    boolean http2 = http2Revisions.contains(revision);
    List<Upstream> upstreams =
        ready.getOrDefault(revision, List.of()).stream()
            .map(
                i ->
                    http2
                        ? Upstream.h2c(upstreamId(i), i.host(), i.port(), concurrency)
                        : new Upstream(upstreamId(i), i.host(), i.port(), concurrency))
            .toList();
    return new Backend(revision, weight, upstreams, mayBeAtZero && upstreams.isEmpty());
  }
}
