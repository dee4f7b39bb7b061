package dev.pylon.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs the exported Dockerfile's CMD the way a container would (working directory = the code, PORT
 * set by the platform, the server found on PATH) with the machine's Debian gunicorn and uvicorn,
 * and checks the service answers on PORT. This pins the claim the CMD comments make: gunicorn binds
 * to $PORT without {@code --bind}, and the shell form expands $PORT for uvicorn.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ContainerCommandRunsTest {
  private static final Path DEBIAN_PYTHON = Path.of("/usr/bin/python3");
  private static final Duration READY_WITHIN = Duration.ofSeconds(45);

  private final ExportFixtures fixtures = new ExportFixtures();
  private final Exporter exporter = new Exporter();

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {"flask-gunicorn", "fastapi-uvicorn", "builtin-stdlib", "appyaml-entrypoint"})
  void theCmdServesOnThePortThePlatformSets(String app, @TempDir Path tmp) throws Exception {
    assumeTrue(
        Files.isExecutable(DEBIAN_PYTHON) && Files.isExecutable(Path.of("/usr/bin/gunicorn")),
        "needs Debian's python3 with gunicorn, flask, fastapi and uvicorn");
    Map<String, String> exported = exporter.dockerfile(fixtures.spec(app)).files();
    List<String> cmd = cmdOf(exported.get(Exporter.DOCKERFILE));

    Path code = tmp.resolve("app");
    copyTree(ExportFixtures.APPS.resolve(app), code);
    // What the build context holds beside the app: Pylon's worker, for the apps it serves.
    for (Map.Entry<String, String> file : exported.entrySet()) {
      if (file.getKey().endsWith(".py")) {
        Files.writeString(code.resolve(file.getKey()), file.getValue());
      }
    }
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    // The image's `python` is its interpreter; Debian has only python3.
    Path python = bin.resolve("python");
    Files.writeString(python, "#!/bin/sh\nexec " + DEBIAN_PYTHON + " \"$@\"\n");
    Files.setPosixFilePermissions(python, PosixFilePermissions.fromString("rwxr-xr-x"));
    // The image has a uvicorn script on PATH; Debian ships only the module.
    Path uvicorn = bin.resolve("uvicorn");
    Files.writeString(uvicorn, "#!/bin/sh\nexec " + DEBIAN_PYTHON + " -m uvicorn \"$@\"\n");
    Files.setPosixFilePermissions(uvicorn, PosixFilePermissions.fromString("rwxr-xr-x"));

    int port = freePort();
    ProcessBuilder builder =
        new ProcessBuilder(cmd).directory(code.toFile()).redirectErrorStream(true);
    builder.redirectOutput(tmp.resolve("server.log").toFile());
    Map<String, String> env = builder.environment();
    env.put("PATH", bin + ":/usr/bin:/bin");
    env.put("PORT", Integer.toString(port));
    env.put("PYTHONUNBUFFERED", "1");
    env.put("PYTHONDONTWRITEBYTECODE", "1");
    env.remove("PYTHONPATH");
    env.remove("PYENV_VERSION");
    Process server = builder.start();
    List<ProcessHandle> started = new ArrayList<>();
    try {
      int status = firstStatus(port, server, started);
      String log = Files.readString(tmp.resolve("server.log"), StandardCharsets.UTF_8);
      assertThat(status).as("GET / on PORT %d; server log:\n%s", port, log).isEqualTo(200);
    } finally {
      started.addAll(server.descendants().toList());
      server.destroy();
      if (!server.waitFor(15, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
      started.forEach(ProcessHandle::destroyForcibly);
    }
  }

  static List<String> cmdOf(String dockerfile) throws IOException {
    String line =
        dockerfile.lines().filter(l -> l.startsWith("CMD ")).reduce((a, b) -> b).orElseThrow();
    List<String> cmd = new ArrayList<>();
    new ObjectMapper().readTree(line.substring(4)).forEach(n -> cmd.add(n.asText()));
    return cmd;
  }

  private static int firstStatus(int port, Process server, List<ProcessHandle> started)
      throws InterruptedException {
    HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
            .timeout(Duration.ofSeconds(5))
            .build();
    long deadline = System.nanoTime() + READY_WITHIN.toNanos();
    while (System.nanoTime() < deadline && server.isAlive()) {
      started.addAll(server.descendants().toList());
      try {
        return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
      } catch (IOException notYet) {
        Thread.sleep(200);
      }
    }
    return -1;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
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
  }
}
