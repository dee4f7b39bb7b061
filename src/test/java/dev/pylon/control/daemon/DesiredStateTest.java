package dev.pylon.control.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pylon.control.daemon.DesiredState.StoredService;
import dev.pylon.router.Backend;
import dev.pylon.router.Route;
import dev.pylon.router.RoutingSnapshot;
import dev.pylon.runtime.ReadyInstance;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The reconciler's decisions, without processes: what runs, at what count, and what is routed. */
class DesiredStateTest {
  private static final Instant NOW = Instant.parse("2026-12-04T10:00:00Z");
  private static final String A = "web-00001-aaa";
  private static final String B = "web-00002-bbb";
  private static final String C = "web-00003-ccc";

  // ---- what runs, and how many

  @Test
  void aServingRevisionRunsWhatTheAutoscalerWants() {
    DesiredState state =
        DesiredState.desired(
            List.of(web(new Scaling(0, 10, 80), List.of(TrafficTarget.revision(A, 100)), a())),
            Set.of(),
            Map.of(A, 4));
    assertThat(state.revisions()).containsOnlyKeys(A);
    assertThat(state.instances()).containsExactly(Map.entry(A, 4));
    assertThat(state.serving()).containsExactly(A);
  }

  @Test
  void beforeTheAutoscalerDecidedARevisionStartsWithTheServicesStartingCount() {
    assertThat(countOf(new Scaling(0, 10, 80))).isEqualTo(1);
    assertThat(countOf(new Scaling(3, 10, 80))).isEqualTo(3);
    assertThat(countOf(new Scaling(2, 2, 80))).isEqualTo(2); // pylon run --instances 2
  }

  @Test
  void aServingRevisionADeployHoldsRunsAtLeastOneEvenAtZero() {
    StoredService web = web(new Scaling(0, 10, 80), List.of(TrafficTarget.revision(A, 100)), a());
    assertThat(DesiredState.desired(List.of(web), Set.of(A), Map.of(A, 0)).instances())
        .containsExactly(Map.entry(A, 1));
    assertThat(DesiredState.desired(List.of(web), Set.of(), Map.of(A, 0)).instances())
        .containsExactly(Map.entry(A, 0));
    assertThat(DesiredState.desired(List.of(web), Set.of(A), Map.of(A, 3)).instances())
        .containsExactly(Map.entry(A, 3));
  }

  @Test
  void aHeldRevisionWithoutTrafficRunsTheServicesFixedCountAndIsNotScaled() {
    DesiredState state =
        DesiredState.desired(
            List.of(web(new Scaling(2, 5, 80), List.of(TrafficTarget.revision(A, 100)), a(), b())),
            Set.of(B),
            Map.of(A, 4, B, 5));
    assertThat(state.instances()).containsOnly(Map.entry(A, 4), Map.entry(B, 2));
    assertThat(state.serving()).containsExactly(A);
  }

  @Test
  void aRevisionNeitherServingNorHeldDoesNotRun() {
    DesiredState state =
        DesiredState.desired(
            List.of(web(Scaling.DEFAULT, List.of(TrafficTarget.revision(B, 100)), a(), b())),
            Set.of(),
            Map.of());
    assertThat(state.revisions()).containsOnlyKeys(B);
  }

  @Test
  void aTaggedRevisionServesAndRuns() {
    DesiredState state =
        DesiredState.desired(
            List.of(
                web(
                    Scaling.DEFAULT,
                    List.of(TrafficTarget.revision(B, 100), TrafficTarget.tag(A, "old")),
                    a(),
                    b())),
            Set.of(),
            Map.of());
    assertThat(state.revisions()).containsOnlyKeys(A, B);
    assertThat(state.serving()).containsExactlyInAnyOrder(A, B);
  }

  @Test
  void latestIsOnlyARevisionThatWasEverReady() {
    StoredService web =
        web(
            Scaling.DEFAULT,
            List.of(TrafficTarget.latest(100)),
            revision(A, 1, true, false),
            revision(B, 2, false, false));
    assertThat(DesiredState.desired(List.of(web), Set.of(), Map.of()).revisions())
        .containsOnlyKeys(A);
    assertThat(DesiredState.desired(List.of(web), Set.of(B), Map.of()).revisions())
        .containsOnlyKeys(A, B);
  }

  @Test
  void h2cRevisionsAreNamed() {
    DesiredState state =
        DesiredState.desired(
            List.of(
                web(
                    Scaling.DEFAULT,
                    List.of(TrafficTarget.revision(A, 50), TrafficTarget.revision(C, 50)),
                    a(),
                    revision(C, 3, true, true))),
            Set.of(),
            Map.of());
    assertThat(state.http2()).containsExactly(C);
  }

  @Test
  void servicesAreDecidedEachOnItsOwn() {
    StoredService web = web(new Scaling(1, 3, 10), List.of(TrafficTarget.revision(A, 100)), a());
    RevisionRecord apiRevision =
        new RevisionRecord(
            "api-00001-xyz",
            "api",
            1,
            "/usr/bin/python3",
            Optional.empty(),
            "{}",
            new LaunchSpec(List.of("true"), Map.of(), Path.of("/")),
            Map.of(),
            NOW,
            true);
    StoredService api =
        new StoredService(
            new ServiceRecord(
                "api",
                NOW,
                Map.of(),
                new Scaling(2, 2, 1),
                List.of(TrafficTarget.revision("api-00001-xyz", 100))),
            List.of(apiRevision));
    DesiredState state = DesiredState.desired(List.of(web, api), Set.of(), Map.of());
    assertThat(state.instances()).containsOnly(Map.entry(A, 1), Map.entry("api-00001-xyz", 2));
    assertThat(state.plans()).extracting(ServingPlan::service).containsExactly("web", "api");
  }

  @Test
  void noServiceNothingRuns() {
    DesiredState state = DesiredState.desired(List.of(), Set.of(A), Map.of(A, 3));
    assertThat(state.revisions()).isEmpty();
    assertThat(state.routes(Map.of(), Optional.of("web"), id -> "").routes()).isEmpty();
  }

  // ---- what the router sees

  @Test
  void readyInstancesAreRoutedAndNothingWaits() {
    Backend backend =
        backendOf(new Scaling(1, 3, 7), Map.of(A, 2), health(ready(A, 4000), 1, 0), "");
    assertThat(backend.upstreams())
        .singleElement()
        .satisfies(
            u -> {
              assertThat(u.id()).isEqualTo(A + "-1@4000");
              assertThat(u.maxConcurrency()).isEqualTo(7);
            });
    assertThat(backend.activating()).isFalse();
    assertThat(backend.unavailable()).isEmpty();
  }

  @Test
  void whileTheFirstInstancesStartRequestsWait() {
    Backend starting = backendOf(new Scaling(2, 2, 80), Map.of(A, 2), RevisionHealth.NONE, "");
    assertThat(starting.upstreams()).isEmpty();
    assertThat(starting.activating()).isTrue();
    assertThat(starting.unavailable()).isEmpty();
  }

  @Test
  void whileAnInstanceWaitsForItsRestartRequestsWait() {
    // two instances, one killed, the other not ready either (both restarting)
    Backend restarting =
        backendOf(new Scaling(2, 2, 80), Map.of(A, 2), new RevisionHealth(List.of(), 2, 0, ""), "");
    assertThat(restarting.activating()).isTrue();
    assertThat(restarting.unavailable()).isEmpty();
  }

  @Test
  void aRevisionThatMayScaleToZeroWaitsEvenAtZeroInstances() {
    assertThat(backendOf(new Scaling(0, 3, 80), Map.of(A, 0), RevisionHealth.NONE, "").activating())
        .isTrue();
  }

  @Test
  void aRevisionThatShouldRunNothingAndCannotScaleFromZeroGets503() {
    Backend none = backendOf(new Scaling(1, 3, 80), Map.of(), RevisionHealth.NONE, "");
    assertThat(none.activating()).isFalse();
    assertThat(none.unavailable()).isEmpty();
  }

  @Test
  void aRevisionWhoseEveryInstanceIsInACrashLoopIsUnavailableAndSaysWhereToLook() {
    Backend crashing =
        backendOf(
            new Scaling(1, 1, 80),
            Map.of(A, 1),
            new RevisionHealth(
                List.of(), 1, 1, "5 exits in a row without staying up; last: exited with status 1"),
            "its output is in /state/logs/" + A + ".log");
    assertThat(crashing.activating()).isFalse();
    assertThat(crashing.unavailable())
        .contains("revision " + A + " is in a crash loop")
        .contains("5 exits in a row")
        .contains("/state/logs/" + A + ".log");
  }

  @Test
  void oneInstanceInACrashLoopWhileAnotherStartsStillWaits() {
    Backend partly =
        backendOf(
            new Scaling(2, 2, 80), Map.of(A, 2), new RevisionHealth(List.of(), 2, 1, "x"), "");
    assertThat(partly.activating()).isTrue();
    assertThat(partly.unavailable()).isEmpty();
  }

  @Test
  void aReadyInstanceBesideACrashLoopServes() {
    Backend served =
        backendOf(new Scaling(2, 2, 80), Map.of(A, 2), health(ready(A, 4000), 2, 1), "");
    assertThat(served.upstreams()).hasSize(1);
    assertThat(served.unavailable()).isEmpty();
  }

  @Test
  void theDefaultServiceTakesEveryOtherHostAndTagsGetTheirOwnHost() {
    DesiredState state =
        DesiredState.desired(
            List.of(
                web(
                    Scaling.DEFAULT,
                    List.of(TrafficTarget.revision(A, 100), TrafficTarget.tag(B, "next")),
                    a(),
                    b())),
            Set.of(),
            Map.of());
    RoutingSnapshot withDefault =
        state.routes(Map.of(A, health(ready(A, 4000), 1, 0)), Optional.of("web"), id -> "");
    assertThat(withDefault.routes())
        .extracting(Route::host)
        .containsExactlyInAnyOrder("web.localhost", "next---web.localhost", Route.ANY_HOST);
    assertThat(state.routes(Map.of(), Optional.empty(), id -> "").routes())
        .extracting(Route::host)
        .containsExactlyInAnyOrder("web.localhost", "next---web.localhost");
  }

  @Test
  void theSplitKeepsEachRevisionsShare() {
    DesiredState state =
        DesiredState.desired(
            List.of(
                web(
                    Scaling.DEFAULT,
                    List.of(TrafficTarget.revision(A, 90), TrafficTarget.revision(B, 10)),
                    a(),
                    b())),
            Set.of(),
            Map.of());
    Route main = state.routes(Map.of(), Optional.empty(), id -> "").routes().get(0);
    assertThat(main.backends())
        .extracting(Backend::name, Backend::weight)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(A, 90), org.assertj.core.groups.Tuple.tuple(B, 10));
  }

  // ---- helpers

  private static int countOf(Scaling scaling) {
    return DesiredState.desired(
            List.of(web(scaling, List.of(TrafficTarget.revision(A, 100)), a())), Set.of(), Map.of())
        .instances()
        .get(A);
  }

  private static Backend backendOf(
      Scaling scaling, Map<String, Integer> scaled, RevisionHealth health, String where) {
    StoredService web = web(scaling, List.of(TrafficTarget.revision(A, 100)), a());
    DesiredState state = DesiredState.desired(List.of(web), Set.of(), scaled);
    // A revision the scaler has no count for starts at the service's count; "nothing to run" is
    // modelled by a state whose instances say 0.
    if (scaled.isEmpty()) {
      state = new DesiredState(state.plans(), state.revisions(), Map.of(), state.http2());
    }
    RoutingSnapshot snapshot = state.routes(Map.of(A, health), Optional.empty(), id -> where);
    return snapshot.routes().get(0).backends().get(0);
  }

  private static List<ReadyInstance> ready(String revision, int port) {
    return List.of(new ReadyInstance(revision + "-1", "127.0.0.1", port));
  }

  private static RevisionHealth health(List<ReadyInstance> ready, int instances, int crashing) {
    return new RevisionHealth(ready, instances, crashing, crashing > 0 ? "crashing" : "");
  }

  private static StoredService web(
      Scaling scaling, List<TrafficTarget> traffic, RevisionRecord... revisions) {
    return new StoredService(
        new ServiceRecord("web", NOW, Map.of(), scaling, traffic), List.of(revisions));
  }

  private static RevisionRecord a() {
    return revision(A, 1, true, false);
  }

  private static RevisionRecord b() {
    return revision(B, 2, true, false);
  }

  private static RevisionRecord revision(String id, int number, boolean ready, boolean http2) {
    return new RevisionRecord(
        id,
        "web",
        number,
        "/usr/bin/python3",
        Optional.empty(),
        "{}",
        new LaunchSpec(List.of("true"), Map.of(), Path.of("/"), http2),
        Map.of(),
        NOW,
        ready);
  }
}
