package dev.pylon.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import dev.pylon.testing.ContainerHost;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Every manifest {@code pylon export} writes, for every app shape, checked by the two schema
 * sources a cluster's API server would apply: the Kubernetes API's own models (client-java-api's
 * {@code validateJsonElement}: unknown fields, missing required ones) and the npm models
 * (kubernetes-models, @kubernetes-models/knative: types, enums, quantities). Each catches what the
 * other misses; the last tests show that on broken manifests.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ManifestSchemaTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path SCRIPT = Path.of("src/test/resources/export/validate-manifests.mjs");
  private static final Path MODELS = Path.of("target/kubernetes-models");

  private final ExportFixtures fixtures = new ExportFixtures();
  private final Exporter exporter = new Exporter();

  @BeforeAll
  void npmModels() throws Exception {
    boolean node = Files.isExecutable(Path.of("/usr/bin/node"));
    ContainerHost.assume(node, "needs node and npm: apt-get install nodejs npm");
    if (!Files.isRegularFile(MODELS.resolve("installed"))) {
      ContainerHost.Result installed =
          ContainerHost.run(List.of("scripts/kubernetes-models"), Duration.ofMinutes(5));
      ContainerHost.assume(
          installed.exitCode() == 0,
          "scripts/kubernetes-models could not install the npm models:\n" + installed.output());
    }
  }

  @Test
  void everyExportedManifestPassesBothSchemas() throws Exception {
    List<ObjectNode> objects = new ArrayList<>();
    for (String app : ExportFixtures.appNames()) {
      var spec = fixtures.spec(app);
      String image = "registry.example/acme/" + spec.name() + ":1.0";
      for (ExportResult result :
          List.of(exporter.knative(spec, image), exporter.kubernetes(spec, image))) {
        for (String text : result.files().values()) {
          for (ObjectNode object : documents(text)) {
            object.put("x-pylon-app", app);
            objects.add(object);
          }
        }
      }
    }
    assertThat(objects)
        .extracting(o -> o.path("kind").asText())
        .contains("Deployment", "Service", "HorizontalPodAutoscaler");

    List<String> failures = new ArrayList<>();
    for (ObjectNode object : objects) {
      String app = object.remove("x-pylon-app").asText();
      try {
        kubernetesModel(object);
      } catch (IOException | IllegalArgumentException e) {
        failures.add(
            app + " " + object.path("kind").asText() + " (client-java-api): " + e.getMessage());
      }
      object.put("x-pylon-app", app);
    }
    for (JsonNode line : npmModels(objects)) {
      if (!line.path("ok").asBoolean()) {
        failures.add(
            line.path("kind").asText()
                + " "
                + line.path("name").asText()
                + " (kubernetes-models): "
                + line.path("error").asText());
      }
    }
    assertThat(failures).isEmpty();
  }

  @Test
  void theApiModelsRefuseAnUnknownFieldTheNpmModelsLetThrough() throws Exception {
    ObjectNode deployment = firstOf("Deployment");
    ((ObjectNode) deployment.path("spec")).put("replica", 2);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> kubernetesModel(deployment))
        .hasMessageContaining("replica");
    assertThat(npmModels(List.of(deployment)).get(0).path("ok").asBoolean()).isTrue();
  }

  @Test
  void theNpmModelsRefuseABadQuantityAndAWrongType() throws Exception {
    ObjectNode deployment = firstOf("Deployment");
    ObjectNode container =
        (ObjectNode)
            deployment.path("spec").path("template").path("spec").path("containers").get(0);
    container.putObject("resources").putObject("limits").put("memory", "512 MB");
    ObjectNode knative = knativeService();
    ((ObjectNode) knative.path("spec").path("template").path("spec"))
        .put("containerConcurrency", "eighty");
    List<JsonNode> lines = npmModels(List.of(deployment, knative));
    assertThat(lines.get(0).path("error").asText()).contains("memory");
    assertThat(lines.get(1).path("error").asText()).contains("containerConcurrency");
  }

  private ObjectNode firstOf(String kind) throws IOException {
    var spec = fixtures.spec("flask-gunicorn");
    String text =
        exporter.kubernetes(spec, "registry.example/f:1").files().values().iterator().next();
    return documents(text).stream()
        .filter(o -> o.path("kind").asText().equals(kind))
        .findFirst()
        .orElseThrow();
  }

  private ObjectNode knativeService() throws IOException {
    var spec = fixtures.spec("flask-gunicorn");
    return documents(
            exporter.knative(spec, "registry.example/f:1").files().values().iterator().next())
        .get(0);
  }

  private static List<ObjectNode> documents(String yaml) throws IOException {
    List<ObjectNode> out = new ArrayList<>();
    try (var it = YAML.readerFor(ObjectNode.class).<ObjectNode>readValues(yaml)) {
      while (it.hasNext()) {
        ObjectNode node = it.next();
        if (node != null && !node.isEmpty()) {
          out.add(node);
        }
      }
    }
    return out;
  }

  /** Validates with the API model for the object's kind; a Knative object has none here. */
  private static void kubernetesModel(ObjectNode object) throws IOException {
    JsonElement json = JsonParser.parseString(JSON.writeValueAsString(object));
    String type = object.path("apiVersion").asText() + " " + object.path("kind").asText();
    switch (type) {
      case "apps/v1 Deployment" -> V1Deployment.validateJsonElement(json);
      case "v1 Service" -> V1Service.validateJsonElement(json);
      case "autoscaling/v2 HorizontalPodAutoscaler" ->
          V2HorizontalPodAutoscaler.validateJsonElement(json);
      case "serving.knative.dev/v1 Service" -> {}
      default -> throw new IllegalArgumentException("no schema check for " + type);
    }
  }

  private static List<JsonNode> npmModels(List<ObjectNode> objects) throws Exception {
    ArrayNode input = JSON.createArrayNode();
    for (ObjectNode object : objects) {
      ObjectNode copy = object.deepCopy();
      copy.remove("x-pylon-app");
      input.add(copy);
    }
    Path file = Files.createTempFile("pylon-manifests", ".json");
    try {
      Files.writeString(file, JSON.writeValueAsString(input), StandardCharsets.UTF_8);
      ContainerHost.Result result =
          ContainerHost.run(
              List.of(
                  "sh",
                  "-c",
                  "node \"$0\" \"$1\" < \"$2\"",
                  SCRIPT.toAbsolutePath().toString(),
                  MODELS.toAbsolutePath().toString(),
                  file.toString()),
              Duration.ofMinutes(2));
      assertThat(result.exitCode()).as(result.output()).isZero();
      List<JsonNode> lines = new ArrayList<>();
      for (String line : result.output().split("\n")) {
        if (line.startsWith("{")) {
          lines.add(JSON.readTree(line));
        }
      }
      assertThat(lines).as(result.output()).hasSize(objects.size());
      return lines;
    } finally {
      Files.deleteIfExists(file);
    }
  }
}
