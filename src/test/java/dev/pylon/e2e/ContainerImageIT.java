package dev.pylon.e2e;

import static dev.pylon.testing.ContainerHost.podman;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pylon.testing.ContainerHost;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pylon build --image} as a user runs it, and the image run by podman the way a platform
 * runs it: PORT set from outside, a non-root user, and {@code podman stop} with Pylon's 10 s grace
 * ending the server by SIGTERM (exit 0), never by the SIGKILL at the end of the grace (137).
 */
class ContainerImageIT {
  private static final Duration EXIT = Duration.ofMinutes(10);
  private static final Duration READY = Duration.ofSeconds(60);
  private static final int GRACE_SECONDS = 10;

  @TempDir Path state;
  @TempDir Path work;

  private final Http http = new Http();
  private final List<String> containers = new ArrayList<>();
  private final List<String> images = new ArrayList<>();

  @BeforeEach
  void needsPodman() throws Exception {
    ContainerHost.requirePodmanAndBase();
  }

  @AfterEach
  void removeWhatTheTestMade() {
    containers.forEach(c -> ContainerHost.quietly("rm", "-f", "-t", "0", c));
    images.forEach(i -> ContainerHost.quietly("rmi", "-f", i));
  }

  @Test
  void helloBuildsRunsOnThePortItIsGivenAndStopsOnSigterm() throws Exception {
    String image = ContainerHost.uniqueName("localhost/pylon-it-hello") + ":1";
    Path archive = work.resolve("hello.tar");
    JsonNode built = build("examples/hello", "--tag", image, "--save", archive.toString());
    assertThat(built.path("image").asText()).isEqualTo(image);
    assertThat(built.path("sizeBytes").asLong()).isPositive();
    ContainerHost.Result listing =
        ContainerHost.run(List.of("tar", "-tf", archive.toString()), Duration.ofSeconds(60));
    assertThat(listing.output()).as("an OCI archive").contains("oci-layout", "index.json");

    String container = run(image, 9090);
    HttpResponse<String> env = http.get(port(container, 9090), "/env");
    assertThat(env.body()).contains("\"PORT\": \"9090\"");
    assertThat(podman(Duration.ofSeconds(30), "exec", container, "id", "-u").output().strip())
        .as("the service's user")
        .isEqualTo("10001");

    assertStopsOnSigterm(container);
  }

  @Test
  void aDebianPackagedFlaskAppBuildsAndACodeOnlyChangeRebuildsOnlyTheCodeLayer() throws Exception {
    String base = ContainerHost.flaskBase(work);
    Path app = copy(PylonProcess.sourceRoot().resolve("examples/flask"), work.resolve("flask"));
    String image = ContainerHost.uniqueName("localhost/pylon-it-flask");
    JsonNode first = build(app.toString(), "--tag", image + ":1", "--base", base);
    String container = run(image + ":1", 8080);
    assertThat(http.get(port(container, 8080), "/").statusCode()).isEqualTo(200);
    assertStopsOnSigterm(container);

    Path main = app.resolve("main.py");
    Files.writeString(main, Files.readString(main) + "\n# a code-only change\n");
    JsonNode second = build(app.toString(), "--tag", image + ":2", "--base", base);
    int beforeCode = stepsBeforeTheCode(app);
    assertThat(second.path("cachedSteps").asInt())
        .as(
            "every step before COPY . . comes from the cache; first build %s, second %s",
            first, second)
        .isEqualTo(beforeCode);
    System.out.printf(
        "image build of examples/flask: %.1f s, after a code-only change %.1f s (%d of %d steps"
            + " cached), %d MB%n",
        first.path("seconds").asDouble(),
        second.path("seconds").asDouble(),
        second.path("cachedSteps").asInt(),
        second.path("steps").asInt(),
        second.path("sizeBytes").asLong() / 1_000_000);
  }

  @Test
  void aChainedEntrypointRunsEveryStepAndItsServerGetsSigterm() throws Exception {
    String base = ContainerHost.flaskBase(work);
    Path app = Files.createDirectories(work.resolve("chained"));
    Files.writeString(app.resolve("requirements.txt"), "Flask>=2.2\ngunicorn>=20.1\n");
    Files.writeString(
        app.resolve("main.py"),
        """
        import os
        from flask import Flask

        app = Flask(__name__)


        @app.get("/")
        def index():
            with open("/tmp/migrated") as f:
                return "migrated: " + f.read()
        """);
    Files.writeString(
        app.resolve("Procfile"),
        "web: python -c \"open('/tmp/migrated', 'w').write('yes')\" && gunicorn --bind :$PORT"
            + " main:app\n");
    String image = ContainerHost.uniqueName("localhost/pylon-it-chained") + ":1";
    build(app.toString(), "--tag", image, "--base", base);
    String container = run(image, 8080);
    HttpResponse<String> response = http.get(port(container, 8080), "/");
    assertThat(response.body()).as("the step before the server ran").isEqualTo("migrated: yes");
    assertStopsOnSigterm(container);
  }

  private JsonNode build(String app, String... extra) throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of("build", app, "--image", "--json", "--state-dir", state.toString()));
    args.addAll(List.of(extra));
    try (PylonProcess pylon = PylonProcess.start(Map.of(), args.toArray(String[]::new))) {
      assertThat(pylon.awaitExit(EXIT)).as(pylon.output()).isZero();
      String out = pylon.output();
      JsonNode json = new ObjectMapper().readTree(out.substring(out.indexOf('{')));
      images.add(json.path("image").asText());
      return json;
    }
  }

  /** {@code podman run -d} with PORT set and published on loopback; returns once it serves. */
  private String run(String image, int containerPort) throws Exception {
    String name = ContainerHost.uniqueName("pylon-it");
    long started = System.nanoTime();
    ContainerHost.Result run =
        podman(
            Duration.ofSeconds(120),
            "run",
            "-d",
            "--name",
            name,
            "-e",
            "PORT=" + containerPort,
            "-p",
            "127.0.0.1::" + containerPort,
            image);
    assertThat(run.exitCode()).as(run.output()).isZero();
    containers.add(name);
    int port = port(name, containerPort);
    long deadline = System.nanoTime() + READY.toNanos();
    while (true) {
      try {
        if (http.get(port, "/").statusCode() < 500) {
          break;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "no answer within " + READY + "; logs:\n" + podman(READY, "logs", name).output());
      }
      Thread.sleep(100);
    }
    System.out.printf(
        "container %s: podman run to first answer %d ms%n",
        image, (System.nanoTime() - started) / 1_000_000);
    return name;
  }

  private static int port(String container, int containerPort) throws Exception {
    String out =
        podman(Duration.ofSeconds(30), "port", container, containerPort + "/tcp").output().strip();
    return Integer.parseInt(out.substring(out.lastIndexOf(':') + 1).strip());
  }

  private static void assertStopsOnSigterm(String container) throws Exception {
    ContainerHost.Result stop =
        podman(
            Duration.ofSeconds(GRACE_SECONDS + 60),
            "stop",
            "-t",
            Integer.toString(GRACE_SECONDS),
            container);
    assertThat(stop.exitCode()).as(stop.output()).isZero();
    String exit =
        podman(Duration.ofSeconds(30), "inspect", "--format", "{{.State.ExitCode}}", container)
            .output()
            .strip();
    System.out.printf(
        "container %s: podman stop took %d ms (grace %d s), exit %s%n",
        container, stop.took().toMillis(), GRACE_SECONDS, exit);
    assertThat(exit)
        .as(
            "exit status after podman stop: 0 is a server that ended on SIGTERM, 137 one killed"
                + " at the end of the grace period; logs:\n"
                + podman(Duration.ofSeconds(30), "logs", container).output())
        .isEqualTo("0");
  }

  /** The Dockerfile's instructions after its last FROM and before {@code COPY . .}. */
  private static int stepsBeforeTheCode(Path app) throws Exception {
    try (PylonProcess pylon =
        PylonProcess.start(
            Map.of(), "build", app.toString(), "--dockerfile", "--force", "--quiet")) {
      assertThat(pylon.awaitExit(EXIT)).as(pylon.output()).isZero();
    }
    List<String> lines = Files.readAllLines(app.resolve("Dockerfile"));
    int count = 0;
    for (String line : lines) {
      if (line.startsWith("FROM ")) {
        count = 0;
      } else if (line.startsWith("COPY . .")) {
        return count;
      } else if (!line.isBlank() && !line.startsWith("#") && !line.startsWith(" ")) {
        count++;
      }
    }
    throw new AssertionError("no COPY . . in the Dockerfile");
  }

  private static Path copy(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path p : paths.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
    return to;
  }
}
