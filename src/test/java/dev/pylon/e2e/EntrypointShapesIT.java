package dev.pylon.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Entrypoints as people write them (issue 11, findings 1 and 9): a Procfile chain whose first step
 * migrates, and a start-up check no request of the app's ever sees.
 */
class EntrypointShapesIT {

  @TempDir Path state;
  @TempDir Path app;
  @TempDir Path scratch;

  /** The app answers with what the migrate-like step wrote, so a 200 proves both ran in order. */
  @Test
  void aProcfileChainMigratesThenServesAndStopsWithNothingLeft() throws Exception {
    Path marker = scratch.resolve("migrated");
    Files.writeString(
        app.resolve("migrate.py"),
        """
        import os
        with open(os.environ["MIGRATED_FILE"], "w") as f:
            f.write("migrated for " + os.environ["K_SERVICE"])
        print("migrations applied", flush=True)
        """);
    Files.writeString(
        app.resolve("main.py"),
        """
        import os

        def app(environ, start_response):
            with open(os.environ["MIGRATED_FILE"]) as f:
                body = f.read().encode()
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [body]
        """);
    Files.writeString(app.resolve("requirements.txt"), "gunicorn\n");
    Files.writeString(
        app.resolve("Procfile"),
        "web: python migrate.py && gunicorn --bind 127.0.0.1:$PORT --workers 2 main:app\n");
    int port = Http.freePort();
    Map<String, String> env = Map.of("PIP_NO_INDEX", "1", "MIGRATED_FILE", marker.toString());
    try (PylonProcess pylon =
        PylonProcess.serving(
            env,
            state,
            port,
            app.toString(),
            "--python",
            "/usr/bin/python3",
            "--system-site-packages",
            "--instances",
            "1")) {
      HttpResponse<String> answer = new Http().get(port, "/");
      assertThat(answer.statusCode()).as(pylon.output()).isEqualTo(200);
      assertThat(answer.body()).startsWith("migrated for ");
      assertThat(pylon.output()).contains("migrations applied");
      List<ProcessHandle> started = pylon.descendants();
      assertThat(started).isNotEmpty();

      pylon.signal("TERM");
      pylon.awaitExit(Duration.ofSeconds(40));
      assertThat(started).noneMatch(ProcessHandle::isAlive);
      assertThat(pylon.output()).doesNotContain("SIGKILL");
    }
  }

  @Test
  void theStartupCheckSendsTheAppNoRequest() throws Exception {
    Path hits = scratch.resolve("hits");
    Files.writeString(
        app.resolve("main.py"),
        """
        import os

        def app(environ, start_response):
            with open(os.environ["HITS_FILE"], "a") as f:
                f.write(environ["PATH_INFO"] + "\\n")
            start_response("500 Internal Server Error", [("Content-Type", "text/plain")])
            return [b"broken on purpose"]
        """);
    Files.writeString(app.resolve("requirements.txt"), "gunicorn\n");
    int port = Http.freePort();
    try (PylonProcess pylon =
        PylonProcess.serving(
            Map.of("PIP_NO_INDEX", "1", "HITS_FILE", hits.toString()),
            state,
            port,
            app.toString(),
            "--python",
            "/usr/bin/python3",
            "--system-site-packages",
            "--instances",
            "1")) {
      assertThat(hits).as("requests before the first user request").doesNotExist();
      assertThat(pylon.output()).doesNotContain("answered 500");

      assertThat(new Http().get(port, "/first").statusCode()).isEqualTo(500);
      assertThat(Files.readAllLines(hits)).containsExactly("/first");
    }
  }
}
