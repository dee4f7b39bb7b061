package dev.pylon.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.pylon.spec.Probe;
import dev.pylon.spec.ServiceSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The manifests as a cluster reads them: valid YAML whose string fields are strings, and a Knative
 * Service that Pylon's own service.yaml reader turns back into the same scaling, concurrency,
 * resources, environment and readiness check.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ManifestsTest {
  private static final String IMAGE = "registry.example/app:1";
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final ExportFixtures fixtures = new ExportFixtures();
  private final Exporter exporter = new Exporter();

  List<String> apps() {
    return ExportFixtures.appNames();
  }

  private static List<JsonNode> documents(String yaml) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    try (var parser = YAML.getFactory().createParser(yaml)) {
      var it = YAML.readValues(parser, JsonNode.class);
      while (it.hasNext()) {
        out.add(it.next());
      }
    }
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("apps")
  void kubernetesManifestsHangTogether(String app) throws Exception {
    ServiceSpec spec = fixtures.spec(app);
    List<JsonNode> docs =
        documents(exporter.kubernetes(spec, IMAGE).files().get(Exporter.KUBERNETES_FILE));
    boolean autoscaled = spec.scaling().minInstances() != spec.scaling().maxInstances();
    assertThat(docs.stream().map(d -> d.path("kind").asText()))
        .containsExactlyElementsOf(
            autoscaled
                ? List.of("Deployment", "Service", "HorizontalPodAutoscaler")
                : List.of("Deployment", "Service"));

    JsonNode deployment = docs.get(0);
    JsonNode labels = deployment.at("/spec/template/metadata/labels");
    assertThat(deployment.at("/spec/selector/matchLabels")).isEqualTo(labels);
    assertThat(docs.get(1).at("/spec/selector")).isEqualTo(labels);
    JsonNode container = deployment.at("/spec/template/spec/containers/0");
    assertThat(container.path("image").asText()).isEqualTo(IMAGE);
    container.path("env").forEach(e -> assertThat(e.path("value").isTextual()).isTrue());
    assertThat(container.at("/resources/requests/cpu").isTextual()).isTrue();
    assertThat(container.at("/ports/0/containerPort").asInt()).isEqualTo(8080);
    assertThat(container.path("readinessProbe").isObject()).isTrue();
    assertThat(container.at("/livenessProbe/successThreshold").isMissingNode())
        .as("Kubernetes requires successThreshold 1 for liveness, so it is left out")
        .isTrue();

    JsonNode init = deployment.at("/spec/template/spec/initContainers");
    if (spec.preStart().isPresent()) {
      assertThat(init.at("/0/command/2").asText()).isEqualTo(spec.preStart().get());
      assertThat(init.at("/0/image").asText()).isEqualTo(IMAGE);
    } else {
      assertThat(init.isMissingNode()).isTrue();
    }
    if (autoscaled) {
      JsonNode hpa = docs.get(2);
      assertThat(hpa.at("/spec/scaleTargetRef/name").asText()).isEqualTo(spec.name());
      assertThat(hpa.at("/spec/minReplicas").asInt()).isGreaterThanOrEqualTo(1);
      assertThat(hpa.at("/spec/maxReplicas").asInt()).isEqualTo(spec.scaling().maxInstances());
      assertThat(deployment.at("/spec/replicas").isMissingNode())
          .as("the HPA owns the replica count")
          .isTrue();
    } else {
      assertThat(deployment.at("/spec/replicas").asInt()).isEqualTo(spec.scaling().minInstances());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("apps")
  void knativeServiceReadsBackIntoTheSameSpec(String app, @TempDir Path tmp) throws Exception {
    ServiceSpec original = fixtures.spec(app);
    String service = exporter.knative(original, IMAGE).files().get(Exporter.KNATIVE_FILE);
    JsonNode annotations = documents(service).get(0).at("/spec/template/metadata/annotations");
    annotations.forEach(
        a -> assertThat(a.isTextual()).as("annotation values are strings").isTrue());

    // The app folder with the export as its service.yaml, in place of app.yaml.
    Path dir = tmp.resolve(app);
    Path from = ExportFixtures.APPS.resolve(app);
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path p : paths.toList()) {
        Path target = dir.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else if (!p.getFileName().toString().equals("app.yaml")) {
          Files.copy(p, target);
        }
      }
    }
    Files.writeString(dir.resolve("service.yaml"), service, StandardCharsets.UTF_8);
    ServiceSpec back = fixtures.spec(dir);

    assertThat(back.name()).isEqualTo(original.name());
    assertThat(back.scaling().minInstances()).isEqualTo(original.scaling().minInstances());
    assertThat(back.scaling().maxInstances()).isEqualTo(original.scaling().maxInstances());
    assertThat(back.scaling().targetConcurrency())
        .isEqualTo(original.scaling().targetConcurrency());
    assertThat(back.scaling().targetUtilization())
        .isEqualTo(original.scaling().targetUtilization());
    assertThat(back.concurrency().maxPerInstance())
        .isEqualTo(original.concurrency().maxPerInstance());
    assertThat(back.concurrency().requestTimeout())
        .isEqualTo(original.concurrency().requestTimeout());
    assertThat(back.resources().cpu()).isEqualTo(original.resources().cpu());
    assertThat(back.resources().memoryMb()).isEqualTo(original.resources().memoryMb());
    assertThat(back.env()).isEqualTo(original.env());
    assertThat(check(back.probes().readiness())).isEqualTo(check(original.probes().readiness()));
    // Kubernetes (and so Knative) accepts only successThreshold 1 on a liveness probe.
    List<Object> liveness = new ArrayList<>(check(original.probes().liveness()));
    liveness.set(5, 1);
    assertThat(check(back.probes().liveness())).isEqualTo(liveness);
  }

  /** A probe without its provenance and start timeout (a Knative Service carries neither). */
  private static List<Object> check(Probe p) {
    return List.of(
        p.httpPath(),
        p.initialDelay(),
        p.period(),
        p.timeout(),
        p.failureThreshold(),
        p.successThreshold());
  }
}
