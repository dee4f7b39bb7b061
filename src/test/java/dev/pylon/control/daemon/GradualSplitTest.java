package dev.pylon.control.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GradualSplitTest {
  @Test
  void theOldRevisionsKeepTheRestInTheirProportionsAddingUpToExactly100() {
    Map<String, Integer> old = new LinkedHashMap<>();
    old.put("a", 50);
    old.put("b", 30);
    old.put("c", 20);
    for (int percent : Deployer.ROLLOUT_STEPS) {
      List<TrafficTarget> split =
          Deployer.split(Map.of("new", percent), old, 100 - percent, List.of());
      assertThat(split.stream().mapToInt(TrafficTarget::percent).sum()).isEqualTo(100);
      assertThat(split.get(0)).isEqualTo(TrafficTarget.revision("new", percent));
    }
    assertThat(Deployer.split(Map.of("new", 10), old, 90, List.of()))
        .containsExactly(
            TrafficTarget.revision("new", 10),
            TrafficTarget.revision("a", 45),
            TrafficTarget.revision("b", 27),
            TrafficTarget.revision("c", 18));
  }

  @Test
  void remaindersGoToTheLargestFractionsAndTagsStay() {
    Map<String, Integer> old = new LinkedHashMap<>();
    old.put("a", 1);
    old.put("b", 1);
    old.put("c", 1);
    List<TrafficTarget> split =
        Deployer.split(Map.of("new", 25), old, 75, List.of(TrafficTarget.tag("a", "blue")));
    assertThat(split).contains(TrafficTarget.tag("a", "blue"));
    assertThat(split.stream().mapToInt(TrafficTarget::percent).sum()).isEqualTo(100);
  }
}
