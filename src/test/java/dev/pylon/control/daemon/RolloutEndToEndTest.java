package dev.pylon.control.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gradual rollout does not hold up other changes while it waits between steps: another service
 * deploys meanwhile, and a traffic change to the rolling service wins and stops the rollout.
 */
class RolloutEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path state;
  private Daemon daemon;

  @AfterEach
  void stop() {
    if (daemon != null) {
      daemon.close();
    }
  }

  @Test
  @Timeout(120)
  void otherChangesGoAheadDuringARolloutAndATrafficChangeStopsIt() throws Exception {
    daemon = new Daemon(TestDaemons.settings(state));
    daemon.start();
    AdminClient client = AdminClient.connect(state);
    Path hello = Path.of("examples/hello").toAbsolutePath();
    String first = deploy(client, hello, "hello", 0).path("revision").asText();

    CountDownLatch stepped = new CountDownLatch(1);
    CompletableFuture<String> rollout =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                ObjectNode body = body(hello, "hello", 20_000);
                client.stream(
                    "/v1/deploy",
                    body,
                    event -> {
                      if (event.toString().contains("10% of hello")) {
                        stepped.countDown();
                      }
                    });
                return "finished";
              } catch (AdminClientException e) {
                return e.getMessage();
              }
            });
    assertThat(stepped.await(60, TimeUnit.SECONDS)).isTrue();

    // Another service deploys while the rollout waits for its next step.
    deploy(client, hello, "other", 0);
    assertThat(rollout).isNotDone();

    // A traffic change to the rolling service goes ahead too, and stands.
    ObjectNode back = JSON.createObjectNode();
    back.putObject("percents").put(first, 100);
    client.put("/v1/services/hello/traffic", back);
    assertThat(rollout.get(30, TimeUnit.SECONDS))
        .contains("was changed while")
        .contains("the rollout stopped and that change stands");
    JsonNode serving = client.get("/v1/services/hello").path("serving");
    assertThat(serving.path(first).asInt()).isEqualTo(100);
    assertThat(serving.size()).isEqualTo(1);
  }

  private static ObjectNode body(Path dir, String service, long rolloutMillis) {
    ObjectNode body = JSON.createObjectNode();
    body.put("path", dir.toString());
    body.put("service", service);
    body.put("rolloutMillis", rolloutMillis);
    return body;
  }

  private static JsonNode deploy(AdminClient client, Path dir, String service, long rolloutMillis)
      throws Exception {
    return client.stream("/v1/deploy", body(dir, service, rolloutMillis), event -> {});
  }
}
