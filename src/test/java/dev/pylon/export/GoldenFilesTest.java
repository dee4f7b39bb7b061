package dev.pylon.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.pylon.spec.ServiceSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every export of every app shape under {@code export/apps} against its checked-in golden file
 * under {@code export/golden/APP/}. A change in the output fails with a diff; run with {@code
 * -Dexport.updateGolden=true} to rewrite the golden files, then review them with {@code git diff}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GoldenFilesTest {
  private static final boolean UPDATE = Boolean.getBoolean("export.updateGolden");
  private static final String IMAGE = "europe-docker.pkg.dev/acme/apps/IMAGE:1.0";

  private final ExportFixtures fixtures = new ExportFixtures();
  private final Exporter exporter = new Exporter();

  List<String> apps() {
    return ExportFixtures.appNames();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("apps")
  void exportsMatchTheGoldenFiles(String app) throws IOException {
    ServiceSpec spec = fixtures.spec(app);
    String image = IMAGE.replace("IMAGE", spec.name());
    ExportResult docker = exporter.dockerfile(spec);
    ExportResult knative = exporter.knative(spec, image);
    ExportResult kubernetes = exporter.kubernetes(spec, image);

    Map<String, String> outputs = new LinkedHashMap<>();
    outputs.put("Dockerfile", docker.files().get(Exporter.DOCKERFILE));
    // Stored without the dot: build tools and resource copying skip dotfiles.
    outputs.put("dockerignore", docker.files().get(Exporter.DOCKERIGNORE));
    outputs.put("knative-service.yaml", knative.files().get(Exporter.KNATIVE_FILE));
    outputs.put("kubernetes.yaml", kubernetes.files().get(Exporter.KUBERNETES_FILE));
    outputs.put(
        "notes.txt",
        notes("dockerfile", docker) + notes("knative", knative) + notes("kubernetes", kubernetes));

    Path dir = ExportFixtures.GOLDEN.resolve(app);
    List<String> failures = new ArrayList<>();
    for (Map.Entry<String, String> output : outputs.entrySet()) {
      assertThat(output.getValue()).as(output.getKey()).isNotNull();
      Path golden = dir.resolve(output.getKey());
      if (UPDATE) {
        Files.createDirectories(dir);
        Files.writeString(golden, output.getValue(), StandardCharsets.UTF_8);
        continue;
      }
      if (!Files.isRegularFile(golden)) {
        failures.add(golden + " is missing; run with -Dexport.updateGolden=true to create it");
        continue;
      }
      String expected = Files.readString(golden, StandardCharsets.UTF_8);
      if (!expected.equals(output.getValue())) {
        failures.add(
            golden + " differs (- golden, + now):\n" + LineDiff.diff(expected, output.getValue()));
      }
    }
    if (!failures.isEmpty()) {
      fail(
          String.join("\n\n", failures)
              + "\n\nIf the change is intended, rerun with -Dexport.updateGolden=true and review"
              + " the golden files.");
    }
  }

  private static String notes(String export, ExportResult result) {
    StringBuilder out = new StringBuilder();
    for (String note : result.notes()) {
      out.append(export).append(": ").append(note).append('\n');
    }
    return out.toString();
  }
}
