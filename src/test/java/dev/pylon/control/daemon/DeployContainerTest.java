package dev.pylon.control.daemon;

import static dev.pylon.testing.ContainerHost.podman;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pylon.cli.Main;
import dev.pylon.testing.ContainerHost;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pylon deploy --container} on a running daemon: the deploy builds the app's image, the
 * revision's instances are containers behind the router, a restarted daemon runs the same revision
 * from the same image again, and deleting the service leaves no container.
 */
class DeployContainerTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path state;
  private Daemon daemon;
  private ServerInfo info;
  private String revision;
  private String image;

  private void startDaemon() throws Exception {
    daemon = new Daemon(TestDaemons.settings(state));
    info = daemon.start();
  }

  @AfterEach
  void cleanUp() throws Exception {
    if (daemon != null) {
      daemon.close();
    }
    if (revision != null) {
      for (String id :
          ContainerHost.run(
                  List.of(
                      "/usr/bin/podman",
                      "ps",
                      "-a",
                      "-q",
                      "--filter",
                      "label=dev.pylon.revision=" + revision),
                  Duration.ofSeconds(30))
              .output()
              .split("\\s+")) {
        if (!id.isBlank()) {
          ContainerHost.quietly("rm", "-f", "-t", "0", id);
        }
      }
    }
    if (image != null) {
      ContainerHost.quietly("rmi", "-f", image);
    }
  }

  @Test
  @Timeout(600)
  void aContainerDeployServesFromContainersAgainAfterARestartAndLeavesNoneWhenDeleted()
      throws Exception {
    ContainerHost.requirePodmanAndBase();
    String service = ContainerHost.uniqueName("deployed");
    startDaemon();
    cli(
        "deploy",
        Path.of("examples/hello").toAbsolutePath().toString(),
        "--service",
        service,
        "--container");
    JsonNode listed = JSON.readTree(cli("revisions", service, "--json")).get(0);
    revision = listed.path("id").asText();
    image = listed.path("image").asText();
    assertThat(listed.path("runsAs").asText()).isEqualTo("container");
    assertThat(image).startsWith("localhost/" + service + ":");
    assertThat(cli("revisions", service))
        .contains("REVISION")
        .contains(revision + " runs as containers of " + image);

    assertThat(RawHttp.get(info.routerPort(), service + ".localhost", "/").status()).isEqualTo(200);
    assertThat(containers())
        .as("the instance is a container of the built image")
        .isNotEmpty()
        .allMatch(line -> line.endsWith(image));

    daemon.close();
    daemon = null;
    startDaemon();
    // The restarted daemon starts the revision's container again; until it is ready, 503.
    RawHttp.Response again = awaitOk(service);
    assertThat(again.status())
        .as("the restarted daemon serves the same revision: %s %s", again.body(), instances())
        .isEqualTo(200);
    assertThat(containers())
        .as("again from a container")
        .isNotEmpty()
        .allMatch(line -> line.endsWith(image));

    cli("delete", service);
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    List<String> left = containers();
    while (!left.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(250);
      left = containers();
    }
    assertThat(left).as("no container outlives the deleted service").isEmpty();
  }

  private RawHttp.Response awaitOk(String service) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    RawHttp.Response response = RawHttp.get(info.routerPort(), service + ".localhost", "/");
    while (response.status() != 200 && System.nanoTime() < deadline) {
      Thread.sleep(250);
      response = RawHttp.get(info.routerPort(), service + ".localhost", "/");
    }
    return response;
  }

  private String instances() throws Exception {
    return AdminClient.connect(state).get("/v1/instances").toString();
  }

  /** The revision's containers, running or not: "NAME IMAGE" each. */
  private List<String> containers() throws Exception {
    String out =
        podman(
                Duration.ofSeconds(30),
                "ps",
                "-a",
                "--filter",
                "label=dev.pylon.revision=" + revision,
                "--format",
                "{{.Names}} {{.Image}}")
            .output();
    return out.lines().filter(line -> !line.isBlank()).toList();
  }

  private String cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--state-dir");
    all.add(state.toString());
    int status =
        Main.newCommandLine()
            .setOut(new PrintWriter(out, true))
            .setErr(new PrintWriter(err, true))
            .execute(all.toArray(String[]::new));
    assertThat(status).as(out + "\n" + err).isZero();
    return out.toString();
  }
}
