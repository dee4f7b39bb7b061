package dev.pylon.control.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PagePiecesTest {
  @Test
  void htmlIsEscaped() {
    assertThat(Html.esc("<script>\"x\" & 'y'</script>"))
        .isEqualTo("&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;");
    assertThat(Html.esc(null)).isEmpty();
  }

  @Test
  void secretLookingNamesAreMasked() {
    for (String name :
        List.of(
            "SECRET_KEY",
            "DB_PASSWORD",
            "API_TOKEN",
            "STRIPE_API_KEY",
            "aws_secret",
            "DATABASE_URL")) {
      assertThat(SecretNames.shown(name, "hunter2")).as(name).isEqualTo(SecretNames.MASK);
    }
    for (String name : List.of("PORT", "DEBUG", "LOG_LEVEL", "GREETING", "KEYBOARD_LAYOUT")) {
      assertThat(SecretNames.shown(name, "v")).as(name).isEqualTo("v");
    }
  }

  @Test
  void chartsScaleToANiceCeilingAndSayWhenThereIsNoData() {
    assertThat(Charts.niceCeiling(0)).isEqualTo(1);
    assertThat(Charts.niceCeiling(3)).isEqualTo(5);
    assertThat(Charts.niceCeiling(12)).isEqualTo(20);
    assertThat(Charts.niceCeiling(100)).isEqualTo(100);
    String empty =
        Charts.chart("Requests", "per s", List.of(new Charts.Line("rate", new double[0])));
    assertThat(empty).contains("collecting samples").doesNotContain("polyline");
    String drawn =
        Charts.chart(
            "Requests", "per s", List.of(new Charts.Line("rate", new double[] {1, 4, Double.NaN})));
    assertThat(drawn).contains("<polyline").contains("rate 4").contains(">5<");
  }

  @Test
  void revisionIdsNameTheirService() {
    assertThat(ConsoleSampler.serviceOf("hello-00002-abc", java.util.Map.of())).isEqualTo("hello");
    assertThat(ConsoleSampler.serviceOf("my-app-00010-xyz", java.util.Map.of()))
        .isEqualTo("my-app");
  }
}
