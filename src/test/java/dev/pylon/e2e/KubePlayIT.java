package dev.pylon.e2e;

import static dev.pylon.testing.ContainerHost.podman;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.pylon.testing.ContainerHost;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Deployment {@code pylon export --to kubernetes --image} writes, run by {@code podman kube
 * play} (the nearest thing to a cluster this machine has): one replica of the image {@code pylon
 * build --image} made, serving 200, then torn down with {@code podman kube down}.
 */
class KubePlayIT {
  private static final Duration EXIT = Duration.ofMinutes(10);
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @TempDir Path state;
  @TempDir Path work;

  @Test
  void theExportedDeploymentServes() throws Exception {
    ContainerHost.requirePodmanAndBase();
    String image = ContainerHost.uniqueName("localhost/pylon-it-kube") + ":1";
    pylon("build", "examples/hello", "--image", "--tag", image, "--state-dir", state.toString());
    Path out = Files.createDirectories(work.resolve("manifests"));
    pylon(
        "export",
        "examples/hello",
        "--to",
        "kubernetes",
        "--image",
        image,
        "--out",
        out.toString());

    // The Deployment alone (kube play runs no Service or HPA), one replica, and its containerPort
    // published on a free host port rather than on 8080 itself, which other servers here use.
    int hostPort = Http.freePort();
    ObjectNode deployment = null;
    try (var docs =
        YAML.readerFor(ObjectNode.class)
            .<ObjectNode>readValues(Files.readString(out.resolve("kubernetes.yaml")))) {
      while (docs.hasNext()) {
        ObjectNode doc = docs.next();
        if (doc != null && "Deployment".equals(doc.path("kind").asText())) {
          deployment = doc;
        }
      }
    }
    assertThat(deployment).as("a Deployment in kubernetes.yaml").isNotNull();
    String name = ContainerHost.uniqueName("hello");
    ((ObjectNode) deployment.path("metadata")).put("name", name);
    ((ObjectNode) deployment.path("spec")).put("replicas", 1);
    ObjectNode container =
        (ObjectNode)
            deployment.path("spec").path("template").path("spec").path("containers").get(0);
    assertThat(container.path("image").asText()).isEqualTo(image);
    ((ObjectNode) container.path("ports").get(0)).put("hostPort", hostPort);
    Path played = work.resolve("deployment.yaml");
    YAML.writeValue(played.toFile(), deployment);

    try {
      ContainerHost.Result play = podman(Duration.ofMinutes(3), "kube", "play", played.toString());
      assertThat(play.exitCode()).as(play.output()).isZero();
      HttpResponse<String> response = firstAnswer(hostPort);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("Hello from Pylon!\n");
    } finally {
      ContainerHost.Result down = podman(Duration.ofMinutes(2), "kube", "down", played.toString());
      ContainerHost.quietly("rmi", "-f", image);
      assertThat(down.exitCode()).as(down.output()).isZero();
    }
  }

  private static HttpResponse<String> firstAnswer(int port) throws Exception {
    Http http = new Http();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      try {
        return http.get(port, "/");
      } catch (IOException notYet) {
        if (System.nanoTime() > deadline) {
          throw notYet;
        }
        Thread.sleep(200);
      }
    }
  }

  private static void pylon(String... args) throws Exception {
    try (PylonProcess pylon = PylonProcess.start(Map.of(), args)) {
      assertThat(pylon.awaitExit(EXIT)).as(pylon.output()).isZero();
    }
  }
}
