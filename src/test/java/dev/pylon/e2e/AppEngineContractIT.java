package dev.pylon.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An app.yaml service sees what App Engine flexible gives it (seed 003): GAE_* variables, its
 * env_variables, and a metadata server that answers only with the Metadata-Flavor header.
 */
class AppEngineContractIT {
  @TempDir Path state;

  @Test
  void anAppYamlServiceGetsTheAppEngineEnvironmentAndMetadata() throws Exception {
    int port = Http.freePort();
    String app = PylonProcess.sourceRoot().resolve("src/test/resources/e2e/appengine").toString();
    try (PylonProcess pylon = PylonProcess.serving(Map.of(), state, port, app)) {
      assertThat(pylon.output()).contains("1 instance of greeter").contains("operating_system");

      HttpResponse<String> response = new Http().get(port, "/");
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body())
          .contains("\"project\": \"pylon-local\"")
          .contains("\"GAE_SERVICE\": \"greeter\"")
          .containsPattern("\"GAE_VERSION\": \"greeter-[0-9a-f]+\"")
          .contains("\"GAE_MEMORY_MB\": \"512\"")
          .contains("\"GOOGLE_CLOUD_PROJECT\": \"pylon-local\"")
          .contains("\"GREETING\": \"hello from app.yaml\"")
          .contains("\"K_SERVICE\": \"greeter\"");
      pylon.signal("TERM");
      pylon.awaitExit(Duration.ofSeconds(30));
    }
  }
}
