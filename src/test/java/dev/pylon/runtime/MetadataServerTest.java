package dev.pylon.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetadataServerTest {
  private MetadataServer server;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    server =
        MetadataServer.start(
            new MetadataServer.Values("my-project", 1234, "local-a", "local", "77", "localhost"));
  }

  @AfterEach
  void stop() {
    server.close();
    http.close();
  }

  private HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://" + server.hostPort() + path));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesProjectAndInstanceValuesToFlavoredRequests() throws Exception {
    String[] flavor = {"Metadata-Flavor", "Google"};
    HttpResponse<String> project = get("/computeMetadata/v1/project/project-id", flavor);
    assertThat(project.statusCode()).isEqualTo(200);
    assertThat(project.body()).isEqualTo("my-project");
    assertThat(project.headers().firstValue("Metadata-Flavor")).hasValue("Google");
    assertThat(get("/computeMetadata/v1/instance/zone", flavor).body())
        .isEqualTo("projects/1234/zones/local-a");
    assertThat(
            get(
                    "/computeMetadata/v1/instance/network-interfaces/0/access-configs/0/external-ip",
                    flavor)
                .body())
        .isEqualTo("127.0.0.1");
    assertThat(get("/computeMetadata/v1/", flavor).body()).isEqualTo("instance/\nproject/\n");
    assertThat(
            get("/computeMetadata/v1/instance/service-accounts/default/token", flavor).statusCode())
        .isEqualTo(404);
  }

  @Test
  void refusesRequestsWithoutTheHeaderOrThroughAProxy() throws Exception {
    assertThat(get("/computeMetadata/v1/project/project-id").statusCode()).isEqualTo(403);
    assertThat(
            get(
                    "/computeMetadata/v1/project/project-id",
                    "Metadata-Flavor",
                    "Google",
                    "X-Forwarded-For",
                    "10.0.0.1")
                .statusCode())
        .isEqualTo(403);
    // The root answers anyone, which is how client libraries detect the server.
    HttpResponse<String> root = get("/");
    assertThat(root.statusCode()).isEqualTo(200);
    assertThat(root.headers().firstValue("Metadata-Flavor")).hasValue("Google");
  }

  @Test
  void pythonCodeFindsItThroughGceMetadataHost(@TempDir Path dir) throws Exception {
    Path script = dir.resolve("ask.py");
    Files.writeString(
        script,
        """
        import os, urllib.request
        url = "http://%s/computeMetadata/v1/project/project-id" % os.environ["GCE_METADATA_HOST"]
        req = urllib.request.Request(url, headers={"Metadata-Flavor": "Google"})
        print(urllib.request.urlopen(req, timeout=5).read().decode())
        """);
    ProcessBuilder builder = new ProcessBuilder("python3", script.toString());
    builder.environment().put("GCE_METADATA_HOST", server.hostPort());
    Process python = builder.redirectErrorStream(true).start();
    String out = new String(python.getInputStream().readAllBytes()).trim();
    assertThat(python.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(out).isEqualTo("my-project");
  }
}
