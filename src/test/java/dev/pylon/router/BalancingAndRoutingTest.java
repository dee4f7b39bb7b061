package dev.pylon.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Least-in-flight choice, concurrency caps, and snapshot route matching, without sockets. */
class BalancingAndRoutingTest {
  private final AtomicInteger freed = new AtomicInteger();
  private final LeastInFlightBalancer balancer =
      new LeastInFlightBalancer(b -> freed.incrementAndGet());

  private static Upstream u(String id, int cap) {
    return new Upstream(id, "127.0.0.1", 9000 + id.hashCode() % 100 + 100, cap);
  }

  @Test
  void picksTheUpstreamWithFewestInFlight() {
    Backend b = new Backend("r1", 100, List.of(u("a", 0), u("b", 0), u("c", 0)));
    List<Lease> held = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      held.add(balancer.acquire(b, Set.of()));
    }
    assertThat(balancer.inFlight("a")).isEqualTo(3);
    assertThat(balancer.inFlight("b")).isEqualTo(3);
    assertThat(balancer.inFlight("c")).isEqualTo(3);
    // free two on b: the next two go to b
    held.stream().filter(l -> l.upstream().id().equals("b")).limit(2).forEach(Lease::release);
    assertThat(balancer.acquire(b, Set.of()).upstream().id()).isEqualTo("b");
    assertThat(balancer.acquire(b, Set.of()).upstream().id()).isEqualTo("b");
    assertThat(freed.get()).isEqualTo(2);
  }

  @Test
  void tiesAreSpreadNotAlwaysTheFirst() {
    Backend b = new Backend("r1", 100, List.of(u("a", 0), u("b", 0), u("c", 0), u("d", 0)));
    Map<String, Integer> firstPick = new HashMap<>();
    for (int i = 0; i < 400; i++) {
      Lease l = balancer.acquire(b, Set.of());
      firstPick.merge(l.upstream().id(), 1, Integer::sum);
      l.release();
    }
    assertThat(firstPick).containsOnlyKeys("a", "b", "c", "d");
    assertThat(firstPick.values()).allMatch(n -> n > 40);
  }

  @Test
  void respectsConcurrencyCapsAndExclusions() {
    Backend b = new Backend("r1", 100, List.of(u("a", 1), u("b", 2)));
    Lease l1 = balancer.acquire(b, Set.of());
    Lease l2 = balancer.acquire(b, Set.of());
    Lease l3 = balancer.acquire(b, Set.of());
    assertThat(List.of(l1, l2, l3)).doesNotContainNull();
    assertThat(balancer.acquire(b, Set.of())).isNull(); // all at cap
    l1.release();
    l1.release(); // twice is harmless
    assertThat(balancer.inFlight("a") + balancer.inFlight("b")).isEqualTo(2);
    Lease again = balancer.acquire(b, Set.of());
    assertThat(again).isNotNull();
    assertThat(balancer.acquire(b, Set.of("a"))).isNull();
    assertThat(LeastInFlightBalancer.hasEligible(b, Set.of("a", "b"))).isFalse();
  }

  @Test
  void singleSnapshotRoutesEverything() {
    RoutingSnapshot s = RoutingSnapshot.single(List.of(u("a", 0)));
    assertThat(s.select("anything:8080", "/x/y").upstreams())
        .extracting(Upstream::id)
        .containsExactly("a");
    assertThat(s.select(null, "/").name()).isEqualTo("default");
    assertThat(RoutingSnapshot.empty().select("h", "/")).isNull();
  }

  @Test
  void exactHostAndLongestPrefixWin() {
    Backend api = new Backend("api", 100, List.of(u("api1", 0)));
    Backend web = new Backend("web", 100, List.of(u("web1", 0)));
    Backend other = new Backend("other", 100, List.of(u("o1", 0)));
    Backend shop = new Backend("shop", 100, List.of(u("s1", 0)));
    RoutingSnapshot s =
        new RoutingSnapshot(
            List.of(
                new Route("*", "/", List.of(other)),
                new Route("example.test", "/", List.of(web)),
                new Route("example.test", "/api/", List.of(api)),
                new Route("*", "/shop/", List.of(shop))));
    assertThat(s.select("Example.TEST:8080", "/api/v1").name()).isEqualTo("api");
    assertThat(s.select("example.test", "/about").name()).isEqualTo("web");
    assertThat(s.select("elsewhere.test", "/shop/cart").name()).isEqualTo("shop");
    assertThat(s.select("elsewhere.test", "/").name()).isEqualTo("other");
    assertThat(s.select("[::1]:80", "/").name()).isEqualTo("other");
  }

  @Test
  void weightsSplitTrafficBetweenRevisions() {
    Backend v1 = new Backend("v1", 90, List.of(u("a", 0)));
    Backend v2 = new Backend("v2", 10, List.of(u("b", 0)));
    RoutingSnapshot s = new RoutingSnapshot(List.of(new Route("*", "/", List.of(v1, v2))));
    int toV2 = 0;
    for (int i = 0; i < 10_000; i++) {
      if (s.select("h", "/").name().equals("v2")) {
        toV2++;
      }
    }
    assertThat(toV2).isBetween(700, 1300);
  }
}
