package dev.pylon.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogLineTest {
  private static final Instant AT = Instant.parse("2026-11-23T12:00:00Z");

  @Test
  void aJsonObjectLineIsStructuredTheWayCloudLoggingReadsIt() {
    LogLine line =
        LogLine.parse(
            AT, "rev-1", false, "{\"severity\":\"warning\",\"message\":\"disk low\",\"free\":12}");
    assertThat(line.severity()).isEqualTo("WARNING");
    assertThat(line.message()).isEqualTo("disk low");
    assertThat(line.fields()).isEqualTo(Map.of("free", "12"));
  }

  @Test
  void anyOtherLineIsTextWithDefaultSeverity() {
    for (String text : List.of("plain", "{not json}", "[1,2]", "")) {
      LogLine line = LogLine.parse(AT, "rev-1", true, text);
      assertThat(line.severity()).isEqualTo("DEFAULT");
      assertThat(line.message()).isEqualTo(text);
      assertThat(line.fields()).isEmpty();
    }
  }

  @Test
  void toJsonKeepsTimeInstanceStreamAndFields() {
    String json = LogLine.parse(AT, "rev-2", true, "{\"message\":\"m\",\"k\":\"v\"}").toJson();
    assertThat(json)
        .isEqualTo(
            "{\"time\":\"2026-11-23T12:00:00Z\",\"instance\":\"rev-2\",\"stream\":\"stderr\","
                + "\"severity\":\"DEFAULT\",\"message\":\"m\",\"k\":\"v\"}");
  }

  @Test
  void theRingStaysWithinItsBoundAndKeepsTheNewestLines(@TempDir Path dir) throws Exception {
    try (LogRing ring = new LogRing(dir, "rev", 4096)) {
      for (int i = 0; i < 500; i++) {
        ring.append(LogLine.parse(AT, "rev-1", false, "line " + i));
      }
      long total = 0;
      try (var files = Files.list(dir)) {
        for (Path file : files.toList()) {
          total += Files.size(file);
        }
      }
      assertThat(total).isLessThanOrEqualTo(4096 + 200);
      List<String> tail = ring.tail(3);
      assertThat(tail).hasSize(3);
      assertThat(tail.getLast()).contains("\"message\":\"line 499\"");
      assertThat(tail.getFirst()).contains("\"message\":\"line 497\"");
    }
  }
}
