package dev.pylon.e2e;

import static dev.pylon.testing.ContainerHost.podman;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pylon.testing.ContainerHost;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pylon run --container}: instances are containers of the app's image, behind the same
 * router, with the instance contract inside; Ctrl-C (SIGTERM) drains and leaves no container.
 */
class RunContainerIT {
  private static final Duration EXIT = Duration.ofMinutes(10);

  @TempDir Path state;

  @Test
  void containerInstancesServeThroughTheRouterAndNoneOutlivesTheRun() throws Exception {
    ContainerHost.requirePodmanAndBase();
    String image = ContainerHost.uniqueName("localhost/pylon-it-run") + ":1";
    try (PylonProcess build =
        PylonProcess.start(
            Map.of(),
            "build",
            "examples/hello",
            "--image",
            "--tag",
            image,
            "--state-dir",
            state.toString())) {
      assertThat(build.awaitExit(EXIT)).as(build.output()).isZero();
    }
    int port = Http.freePort();
    Http http = new Http();
    try (PylonProcess pylon =
        PylonProcess.serving(
            Map.of(),
            state,
            port,
            "examples/hello",
            "--instances",
            "2",
            "--container",
            "--image",
            image,
            "--memory",
            "256Mi")) {
      String revision = revisionOf(pylon.output());
      assertThat(http.get(port, "/").body()).isEqualTo("Hello from Pylon!\n");
      Set<String> ports = new HashSet<>();
      for (int i = 0; i < 20; i++) {
        HttpResponse<String> env = http.get(port, "/env");
        assertThat(env.body()).contains("\"K_SERVICE\": \"hello\"").contains("\"K_REVISION\"");
        ports.add(env.body().replaceAll(".*\"PORT\": \"(\\d+)\".*", "$1"));
      }
      assertThat(ports).as("both container instances answer").hasSize(2);
      String labelled =
          podman(
                  Duration.ofSeconds(30),
                  "ps",
                  "--filter",
                  "label=dev.pylon.revision=" + revision,
                  "--format",
                  "{{.Names}} {{.Image}}")
              .output();
      assertThat(labelled.lines()).hasSize(2).allMatch(l -> l.endsWith(image));

      pylon.signal("TERM");
      // The JVM ends by the signal once its shutdown hook has stopped everything: 128 + 15.
      assertThat(pylon.awaitExit(Duration.ofSeconds(60))).isIn(0, 143);
      assertThat(pylon.output()).contains("stopped (exited with status 0)");
      assertThat(
              podman(
                      Duration.ofSeconds(30),
                      "ps",
                      "-a",
                      "-q",
                      "--filter",
                      "label=dev.pylon.revision=" + revision)
                  .output()
                  .strip())
          .as("no container outlives the run")
          .isEmpty();
    } finally {
      ContainerHost.quietly("rmi", "-f", image);
    }
  }

  private static String revisionOf(String output) {
    var matcher = java.util.regex.Pattern.compile("(hello-[0-9a-f]{6,})").matcher(output);
    assertThat(matcher.find()).as("a revision id in:\n%s", output).isTrue();
    return matcher.group(1);
  }
}
