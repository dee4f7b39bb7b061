package dev.pylon.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pylon gc} deletes what nothing uses and keeps what a running instance runs from. */
class GcIT {
  @TempDir Path state;

  private String pylon(String... args) throws Exception {
    try (PylonProcess pylon = PylonProcess.start(Map.of(), args)) {
      assertThat(pylon.awaitExit(Duration.ofSeconds(120))).as(pylon.output()).isZero();
      return pylon.output();
    }
  }

  private long revisions() throws Exception {
    Path dir = state.resolve("revisions/hello");
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries
          .filter(Files::isDirectory)
          .filter(p -> !p.getFileName().toString().startsWith("."))
          .count();
    }
  }

  @Test
  void keepsTheRevisionARunServesAndDeletesItOnceUnused() throws Exception {
    int port = Http.freePort();
    try (PylonProcess serving =
        PylonProcess.serving(Map.of(), state, port, "examples/hello", "--instances", "1")) {
      assertThat(revisions()).isEqualTo(1);
      pylon("gc", "--all-unused", "--state-dir", state.toString());
      assertThat(revisions()).as("the serving revision is kept").isEqualTo(1);
      assertThat(new Http().get(port, "/").statusCode()).isEqualTo(200);
      serving.signal("TERM");
      serving.awaitExit(Duration.ofSeconds(30));
    }
    String output = pylon("gc", "--all-unused", "--state-dir", state.toString());
    assertThat(output).contains("deleted");
    assertThat(revisions()).isZero();
  }
}
