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

/**
 * The router's snapshot from the serving plans and the instances that are ready: {@code
 * SERVICE.localhost} splits by weight, {@code TAG---SERVICE.localhost} goes to the tagged revision,
 * and with a default service every other host goes to it.
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
      Optional<String> defaultService) {
    List<Route> routes = new ArrayList<>();
    for (ServingPlan plan : plans) {
      int concurrency = plan.scaling().concurrency();
      List<Backend> split = new ArrayList<>();
      plan.weights()
          .forEach(
              (revision, percent) ->
                  split.add(
                      new Backend(revision, percent, upstreams(ready, revision, concurrency))));
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
                              new Backend(
                                  revision, 100, upstreams(ready, revision, concurrency))))));
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

  private static List<Upstream> upstreams(
      Map<String, List<ReadyInstance>> ready, String revision, int concurrency) {
    return ready.getOrDefault(revision, List.of()).stream()
        .map(i -> new Upstream(upstreamId(i), i.host(), i.port(), concurrency))
        .toList();
  }
}
