package dev.pylon.control.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pylon.control.admin.TrafficBody;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code pylon traffic}'s shares: tags resolved to the revisions they name. */
class TrafficSharesTest {
  private static final Map<String, String> TAGS = Map.of("blue", "hello-00002-abc");

  @Test
  void revisionSharesStayInTheirOrder() throws Exception {
    Map<String, Integer> given = new LinkedHashMap<>();
    given.put("hello-00002-abc", 10);
    given.put("hello-00001-xyz", 90);

    assertThat(TrafficShares.byRevision("hello", TrafficBody.byRevision(given), TAGS))
        .containsExactly(Map.entry("hello-00002-abc", 10), Map.entry("hello-00001-xyz", 90));
  }

  @Test
  void aTagsShareGoesToItsRevisionAndAddsToAShareGivenByRevision() throws Exception {
    assertThat(TrafficShares.byRevision("hello", TrafficBody.byTag(Map.of("blue", 100)), TAGS))
        .containsExactly(Map.entry("hello-00002-abc", 100));
    assertThat(
            TrafficShares.byRevision(
                "hello",
                new TrafficBody(null, Map.of("hello-00002-abc", 40), Map.of("blue", 60)),
                TAGS))
        .containsExactly(Map.entry("hello-00002-abc", 100));
  }

  @Test
  void toLatestHasNoShares() throws Exception {
    assertThat(TrafficShares.byRevision("hello", TrafficBody.latest(), TAGS)).isEmpty();
  }

  @Test
  void anUnknownTagIsNotFoundAndSaysWhereTheTagsAre() {
    assertThatThrownBy(
            () -> TrafficShares.byRevision("hello", TrafficBody.byTag(Map.of("red", 100)), TAGS))
        .isInstanceOf(AdminError.class)
        .hasMessage("hello has no revision tagged red")
        .satisfies(e -> assertThat(((AdminError) e).kind()).isEqualTo(AdminError.Kind.NOT_FOUND))
        .satisfies(e -> assertThat(((AdminError) e).hint()).contains("pylon revisions hello"));
  }

  @Test
  void sharesAndToLatestTogetherOrNeitherIsInvalid() {
    assertThatThrownBy(
            () -> TrafficShares.byRevision("hello", new TrafficBody(null, null, null), TAGS))
        .hasMessageStartingWith("say either where the traffic goes");
    assertThatThrownBy(
            () ->
                TrafficShares.byRevision(
                    "hello", new TrafficBody(true, Map.of("hello-00002-abc", 100), null), TAGS))
        .hasMessageStartingWith("say either where the traffic goes");
  }

  @Test
  void aShareThatIsNoNumberIsInvalid() {
    Map<String, Integer> given = new HashMap<>();
    given.put("hello-00002-abc", null);

    assertThatThrownBy(() -> TrafficShares.byRevision("hello", TrafficBody.byRevision(given), TAGS))
        .hasMessage("the share of hello-00002-abc is not a number");
  }
}
