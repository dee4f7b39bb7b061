package dev.pylon.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExportFilesTest {
  private static ExportResult result() {
    Map<String, String> files = new LinkedHashMap<>();
    files.put("Dockerfile", "FROM python:3.12-slim\n");
    files.put(".dockerignore", ".git\n");
    return new ExportResult(files, List.of());
  }

  @Test
  void writesEveryFileIntoANewFolder(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("out");

    ExportFiles.Written written = ExportFiles.write(dir, result(), false);

    assertThat(written.written())
        .containsExactly(dir.resolve("Dockerfile"), dir.resolve(".dockerignore"));
    assertThat(written.kept()).isEmpty();
    assertThat(Files.readString(dir.resolve("Dockerfile"), StandardCharsets.UTF_8))
        .isEqualTo("FROM python:3.12-slim\n");
    try (Stream<Path> left = Files.list(dir)) {
      assertThat(left).as("no temporary files left").hasSize(2);
    }
  }

  @Test
  void keepsAFileTheUserAlreadyHasUnlessForced(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("Dockerfile"), "# mine\n");

    ExportFiles.Written kept = ExportFiles.write(dir, result(), false);

    assertThat(kept.kept()).containsExactly(dir.resolve("Dockerfile"));
    assertThat(kept.written()).containsExactly(dir.resolve(".dockerignore"));
    assertThat(Files.readString(dir.resolve("Dockerfile"))).isEqualTo("# mine\n");

    ExportFiles.Written forced = ExportFiles.write(dir, result(), true);

    assertThat(forced.written()).hasSize(2);
    assertThat(forced.kept()).isEmpty();
    assertThat(Files.readString(dir.resolve("Dockerfile"))).isEqualTo("FROM python:3.12-slim\n");
  }

  @Test
  void refusesANameThatLeavesTheFolder(@TempDir Path dir) {
    ExportResult escaping = new ExportResult(Map.of("../Dockerfile", "x"), List.of());

    assertThatThrownBy(() -> ExportFiles.write(dir.resolve("out"), escaping, true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("../Dockerfile");
  }
}
