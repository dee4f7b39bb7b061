package dev.pylon.control.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pylon.router.Backend;
import dev.pylon.router.Route;
import dev.pylon.router.RoutingSnapshot;
import dev.pylon.router.UpstreamProtocol;
import dev.pylon.runtime.ReadyInstance;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ServingPlanTest {
  private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");

  @Test
  void latestIsTheNewestRevisionThatWasEverReady() {
    List<RevisionRecord> revisions =
        List.of(
            revision("web-00001-aaa", 1, true),
            revision("web-00002-bbb", 2, true),
            revision("web-00003-ccc", 3, false));
    ServingPlan plan = ServingPlan.of(service(List.of(TrafficTarget.latest(100))), revisions);
    assertThat(plan.weights()).containsExactly(Map.entry("web-00002-bbb", 100));
  }

  @Test
  void withNoReadyRevisionLatestServesNothing() {
    ServingPlan plan =
        ServingPlan.of(
            service(List.of(TrafficTarget.latest(100))),
            List.of(revision("web-00001-aaa", 1, false)));
    assertThat(plan.weights()).isEmpty();
    assertThat(plan.revisions()).isEmpty();
  }

  @Test
  void sharesOfTheSameRevisionAddUpAndTaggedRevisionsRunToo() {
    List<RevisionRecord> revisions =
        List.of(revision("web-00001-aaa", 1, true), revision("web-00002-bbb", 2, true));
    ServingPlan plan =
        ServingPlan.of(
            service(
                List.of(
                    TrafficTarget.revision("web-00002-bbb", 60),
                    TrafficTarget.latest(40),
                    TrafficTarget.tag("web-00001-aaa", "old"))),
            revisions);
    assertThat(plan.weights()).containsExactly(Map.entry("web-00002-bbb", 100));
    assertThat(plan.tags()).containsExactly(Map.entry("old", "web-00001-aaa"));
    assertThat(plan.revisions()).containsExactly("web-00001-aaa", "web-00002-bbb");
  }

  @Test
  void routesByServiceHostTagHostAndDefaultService() {
    ServingPlan plan =
        new ServingPlan(
            "web",
            Map.of("web-00001-aaa", 90, "web-00002-bbb", 10),
            Map.of("blue", "web-00002-bbb"),
            new Scaling(1, 3, 5));
    RoutingSnapshot snapshot =
        RoutingTable.snapshot(
            List.of(plan),
            Map.of(
                "web-00001-aaa",
                List.of(new ReadyInstance("web-00001-aaa-1", "127.0.0.1", 4000)),
                "web-00002-bbb",
                List.of(new ReadyInstance("web-00002-bbb-1", "127.0.0.1", 4001))),
            Set.of("web-00002-bbb"),
            Optional.of("web"));
    assertThat(snapshot.routes())
        .extracting(Route::host)
        .containsExactlyInAnyOrder("web.localhost", "blue---web.localhost", Route.ANY_HOST);
    Route main =
        snapshot.routes().stream()
            .filter(r -> r.host().equals("web.localhost"))
            .findFirst()
            .orElseThrow();
    assertThat(main.backends())
        .extracting(Backend::name, Backend::weight)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("web-00001-aaa", 90),
            org.assertj.core.groups.Tuple.tuple("web-00002-bbb", 10));
    Backend first =
        main.backends().stream().filter(b -> b.weight() == 90).findFirst().orElseThrow();
    assertThat(first.upstreams())
        .singleElement()
        .satisfies(
            u -> {
              assertThat(u.port()).isEqualTo(4000);
              assertThat(u.maxConcurrency()).isEqualTo(5);
              assertThat(u.protocol()).isEqualTo(UpstreamProtocol.HTTP_1_1);
            });
    Backend second =
        main.backends().stream().filter(b -> b.weight() == 10).findFirst().orElseThrow();
    assertThat(second.upstreams())
        .singleElement()
        .satisfies(u -> assertThat(u.protocol()).isEqualTo(UpstreamProtocol.H2C));
  }

  private static ServiceRecord service(List<TrafficTarget> traffic) {
    return new ServiceRecord("web", NOW, Map.of(), Scaling.DEFAULT, traffic);
  }

  private static RevisionRecord revision(String id, int number, boolean ready) {
    return new RevisionRecord(
        id,
        "web",
        number,
        "/usr/bin/python3",
        Optional.empty(),
        "{}",
        new LaunchSpec(List.of("true"), Map.of(), Path.of("/")),
        Map.of(),
        NOW,
        ready);
  }
}
