package dev.pylon.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pylon.runtime.InstanceEvent.Kind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real instance's output and life-cycle events end up in the revision's log file as JSON. */
class RevisionLogTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void outputAndEventsAreKeptAsStructuredLinesAndPassedOn() throws Exception {
    Files.writeString(
        dir.resolve("chatty.py"),
        """
        import json, sys
        print(json.dumps({"severity": "error", "message": "payment failed", "order": 42}))
        print("plain words", file=sys.stderr)
        sys.exit(5)
        """);
    RecordingListener passedOn = new RecordingListener();
    Path logs = dir.resolve("logs");
    List<JsonNode> entries = new ArrayList<>();
    try (RevisionLog revisionLog = new RevisionLog(logs, "rev", 1 << 20, passedOn);
        InstanceSet set =
            new InstanceSet(
                new InstanceTemplate("svc", "rev", List.of("python3", "chatty.py"), Map.of(), dir),
                1,
                revisionLog,
                MisbehavingAppsTest.fast())) {
      set.start();
      passedOn.awaitEvent(e -> e.kind() == Kind.CRASH_LOOP);
      set.stop(java.time.Duration.ofSeconds(5));
      for (String line : revisionLog.tail(1000)) {
        entries.add(JSON.readTree(line));
      }
    }
    assertThat(passedOn.lines()).extracting(RecordingListener.Line::text).contains("plain words");
    assertThat(logs.resolve("rev.log")).exists();

    JsonNode structured =
        entries.stream().filter(e -> e.path("order").asText().equals("42")).findFirst().get();
    assertThat(structured.get("severity").asText()).isEqualTo("ERROR");
    assertThat(structured.get("message").asText()).isEqualTo("payment failed");
    assertThat(structured.get("instance").asText()).isEqualTo("rev-1");
    assertThat(structured.get("stream").asText()).isEqualTo("stdout");
    assertThat(structured.get("time").asText()).isNotBlank();

    JsonNode plain =
        entries.stream()
            .filter(e -> e.path("message").asText().equals("plain words"))
            .findFirst()
            .get();
    assertThat(plain.get("stream").asText()).isEqualTo("stderr");
    assertThat(plain.get("severity").asText()).isEqualTo("DEFAULT");

    JsonNode crashLoop =
        entries.stream()
            .filter(e -> e.path("event").asText().equals("CRASH_LOOP"))
            .findFirst()
            .get();
    assertThat(crashLoop.get("source").asText()).isEqualTo("pylon");
    assertThat(crashLoop.get("severity").asText()).isEqualTo("ERROR");
    assertThat(crashLoop.get("message").asText())
        .startsWith("crash loop: 3 exits in a row without staying up; last: exited with status 5");
    assertThat(entries)
        .filteredOn(e -> e.path("source").asText().equals("pylon"))
        .extracting(e -> e.get("event").asText())
        .startsWith("STARTING")
        .contains("EXITED", "RESTARTING", "STOPPED");
  }
}
