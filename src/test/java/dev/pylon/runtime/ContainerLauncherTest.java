package dev.pylon.runtime;

import static dev.pylon.testing.ContainerHost.podman;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pylon.testing.ContainerHost;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A container instance through the launcher seam, against real podman: the image's own server on
 * the port the request names, PORT and K_* inside, memory and CPU limits on the container, output
 * captured, and a terminate that ends it by SIGTERM (status 0). Prints container start-to-ready
 * beside the same server started as a process.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ContainerLauncherTest {
  private static final Path PODMAN = Path.of("/usr/bin/podman");
  private static final Duration READY = Duration.ofSeconds(60);
  private static final String APP =
      """
      import os

      def app(environ, start_response):
          body = ("%s %s" % (os.environ.get("PORT"), os.environ.get("K_SERVICE"))).encode()
          start_response("200 OK", [("Content-Length", str(len(body)))])
          return [body]
      """;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private String image;
  private Path context;

  @BeforeAll
  void buildImage(@TempDir Path dir) throws Exception {
    ContainerHost.requirePodmanAndBase();
    context = dir;
    Files.writeString(dir.resolve("main.py"), APP);
    Files.write(dir.resolve("pylon_worker.py"), BuiltinWorker.script());
    Files.writeString(
        dir.resolve("Containerfile"),
        "FROM "
            + ContainerHost.BASE_IMAGE
            + "\nWORKDIR /app\nCOPY main.py pylon_worker.py ./\nUSER 10001:10001\n"
            + "CMD [\"python\", \"pylon_worker.py\", \"--app\", \"main:app\", \"--host\","
            + " \"0.0.0.0\"]\n");
    image = ContainerHost.uniqueName("localhost/pylon-test-launcher") + ":1";
    ContainerHost.Result built =
        podman(Duration.ofMinutes(5), "build", "--network=host", "-t", image, dir.toString());
    assertThat(built.exitCode()).as(built.output()).isZero();
  }

  @AfterAll
  void removeImage() {
    if (image != null) {
      ContainerHost.quietly("rmi", "-f", image);
    }
  }

  @Test
  void aContainerServesOnTheRequestedPortWithLimitsAndStopsOnSigterm(@TempDir Path work)
      throws Exception {
    String revision = ContainerHost.uniqueName("launcher");
    List<String> lines = new CopyOnWriteArrayList<>();
    int port = freePort();
    LaunchRequest request =
        new LaunchRequest(
            revision + "-1",
            1,
            List.of("ignored: the image's CMD runs"),
            Map.of("PORT", Integer.toString(port), "K_SERVICE", "hello", "PATH", "/host/only"),
            port,
            work,
            256,
            0.5);
    ContainerRun run = new ContainerRun(PODMAN, image, revision, Duration.ofSeconds(10), 256, 0.5);
    try (ContainerLauncher launcher = new ContainerLauncher(run)) {
      long started = System.nanoTime();
      RunningInstance instance = launcher.launch(request, (stderr, line) -> lines.add(line));
      try {
        HttpResponse<String> response = firstAnswer(port, instance, lines);
        long containerReady = (System.nanoTime() - started) / 1_000_000;
        assertThat(response.body()).isEqualTo(port + " hello");

        String name = "pylon-" + revision + "-1-";
        String limits =
            podman(
                    Duration.ofSeconds(30),
                    "ps",
                    "--filter",
                    "label=" + ContainerRun.REVISION_LABEL + "=" + revision,
                    "--format",
                    "{{.Names}}")
                .output()
                .strip();
        assertThat(limits).startsWith(name);
        String inspect =
            podman(
                    Duration.ofSeconds(30),
                    "inspect",
                    "--format",
                    "{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.Config.User}}",
                    limits)
                .output()
                .strip();
        assertThat(inspect).isEqualTo((256L << 20) + " 500000000 10001:10001");

        long stopping = System.nanoTime();
        instance.terminate();
        InstanceExit exit = instance.exit().get(60, TimeUnit.SECONDS);
        long stopMs = (System.nanoTime() - stopping) / 1_000_000;
        assertThat(exit.status()).as("%s; output %s", exit.how(), lines).isZero();
        assertThat(lines).anyMatch(l -> l.contains("serving main:app"));
        long processReady = processStartToReady(work);
        System.out.printf(
            "start to ready: container %d ms, process %d ms; container stop %d ms%n",
            containerReady, processReady, stopMs);
      } finally {
        instance.kill();
        instance.release();
      }
    }
  }

  /** The same server as a process on this machine, start to first answer. */
  private long processStartToReady(Path work) throws Exception {
    int port = freePort();
    long started = System.nanoTime();
    Process process =
        new ProcessBuilder(
                "/usr/bin/python3",
                context.resolve("pylon_worker.py").toString(),
                "--app",
                "main:app",
                "--port",
                Integer.toString(port),
                "--chdir",
                context.toString())
            .redirectErrorStream(true)
            .redirectOutput(work.resolve("process.log").toFile())
            .start();
    try {
      firstAnswer(port, null, List.of());
      return (System.nanoTime() - started) / 1_000_000;
    } finally {
      process.destroy();
      process.waitFor(15, TimeUnit.SECONDS);
      process.destroyForcibly();
    }
  }

  private HttpResponse<String> firstAnswer(int port, RunningInstance instance, List<String> lines)
      throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
            .timeout(Duration.ofSeconds(5))
            .build();
    long deadline = System.nanoTime() + READY.toNanos();
    while (true) {
      try {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
      } catch (IOException notYet) {
        if (System.nanoTime() > deadline || (instance != null && !instance.alive())) {
          throw new AssertionError("no answer on " + port + "; output " + lines, notYet);
        }
        Thread.sleep(50);
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
