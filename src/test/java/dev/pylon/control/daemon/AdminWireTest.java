package dev.pylon.control.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pylon.control.admin.ErrorView;
import dev.pylon.control.admin.LogLineView;
import dev.pylon.control.admin.ScalingView;
import dev.pylon.control.admin.ServiceView;
import dev.pylon.control.admin.StreamLine;
import dev.pylon.control.admin.TrafficLineView;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The admin API's JSON: keys in the documented order, optional ones left out when absent. */
class AdminWireTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aServiceIsWrittenWithItsKeysInOrderAndWithoutAbsentOnes() throws Exception {
    ServiceRecord record =
        new ServiceRecord(
            "hello",
            Instant.parse("2026-12-04T10:00:00Z"),
            Map.of(),
            Scaling.DEFAULT,
            List.of(TrafficTarget.latest(100)));

    String json = JSON.writeValueAsString(AdminViews.service(record, List.of(), "http://hello/"));

    assertThat(json)
        .isEqualTo(
            "{\"name\":\"hello\",\"url\":\"http://hello/\",\"created\":\"2026-12-04T10:00:00Z\","
                + "\"revisions\":0,\"scaling\":{\"min\":0,\"max\":10,\"concurrency\":80,"
                + "\"metric\":\"concurrency\",\"target\":\"80 in flight\"},\"env\":{},"
                + "\"traffic\":[{\"latest\":true,\"percent\":100}],\"serving\":{}}");
  }

  @Test
  void aCpuScalingHasItsTargetAndACoolDownItsSeconds() throws Exception {
    ScalingView view =
        AdminViews.scaling(
            new Scaling(1, 4, 80).onCpu(0.6).withCoolDown(Optional.of(Duration.ofSeconds(90))));

    assertThat(JSON.writeValueAsString(view))
        .isEqualTo(
            "{\"min\":1,\"max\":4,\"concurrency\":80,\"metric\":\"cpu\",\"cpuTarget\":0.6,"
                + "\"target\":\"0.60 cores\",\"coolDownSeconds\":90.0}");
  }

  @Test
  void aPinnedTrafficLineNamesItsRevisionAndATagLineItsTag() throws Exception {
    assertThat(JSON.writeValueAsString(new TrafficLineView(null, "hello-00002-abc", 0, "blue")))
        .isEqualTo("{\"revision\":\"hello-00002-abc\",\"percent\":0,\"tag\":\"blue\"}");
  }

  @Test
  void aRollbackSaysWhereItWentLast() throws Exception {
    ServiceView view =
        new ServiceView("s", "u", "c", 1, null, Map.of(), List.of(), Map.of(), null)
            .rolledBackTo("s-00001-abc");

    assertThat(JSON.writeValueAsString(view)).endsWith(",\"rolledBackTo\":\"s-00001-abc\"}");
  }

  @Test
  void streamLinesCarryOnlyTheirKindsFields() throws Exception {
    assertThat(JSON.writeValueAsString(StreamLine.step("Building")))
        .isEqualTo("{\"event\":\"step\",\"message\":\"Building\"}");
    assertThat(JSON.writeValueAsString(StreamLine.line("pip says")))
        .isEqualTo("{\"event\":\"line\",\"line\":\"pip says\"}");
    assertThat(JSON.writeValueAsString(StreamLine.error(new ErrorView(422, "e", "h", List.of()))))
        .isEqualTo("{\"event\":\"error\",\"status\":422,\"error\":\"e\",\"hint\":\"h\"}");
    assertThat(
            JSON.writeValueAsString(
                StreamLine.error(new ErrorView(422, "e", "h", List.of("last line")))))
        .endsWith(",\"details\":[\"last line\"]}");
  }

  @Test
  void aLogLineKeepsItsFieldsBetweenItsMessageAndItsRevision() throws Exception {
    String written =
        "{\"time\":\"t\",\"instance\":\"i\",\"stream\":\"stdout\",\"severity\":\"INFO\","
            + "\"message\":\"m\",\"zeta\":\"1\",\"alpha\":\"2\"}";

    LogLineView line = JSON.readValue(written, LogLineView.class).fromRevision("r");

    assertThat(JSON.writeValueAsString(line))
        .isEqualTo(written.substring(0, written.length() - 1) + ",\"revision\":\"r\"}");
  }

  @Test
  void eachKindOfErrorHasItsStatus() {
    assertThat(AdminApi.status(AdminError.Kind.INVALID)).isEqualTo(400);
    assertThat(AdminApi.status(AdminError.Kind.UNAUTHENTICATED)).isEqualTo(401);
    assertThat(AdminApi.status(AdminError.Kind.NOT_FOUND)).isEqualTo(404);
    assertThat(AdminApi.status(AdminError.Kind.METHOD_NOT_ALLOWED)).isEqualTo(405);
    assertThat(AdminApi.status(AdminError.Kind.CONFLICT)).isEqualTo(409);
    assertThat(AdminApi.status(AdminError.Kind.APP_FAILED)).isEqualTo(422);
    assertThat(AdminApi.status(AdminError.Kind.INTERNAL)).isEqualTo(500);
    assertThat(AdminApi.status(AdminError.Kind.STOPPING)).isEqualTo(503);
  }
}
