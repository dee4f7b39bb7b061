package dev.pylon.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pylon.runtime.InstanceEvent.Kind;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An instance under bubblewrap sees what it should, and still stops gracefully. */
class SandboxTest {
  @TempDir Path dir;

  @Test
  void theSandboxHidesStateKeepsTheRevisionReadOnlyAndStillDrainsOnStop() throws Exception {
    Assumptions.assumeTrue(Sandbox.bubblewrap().isPresent(), "bubblewrap is not installed");
    Path state = Files.createDirectories(dir.resolve("state"));
    Files.writeString(state.resolve("secret.txt"), "not for apps");
    Path revision = Files.createDirectories(state.resolve("revisions/rev"));
    Files.writeString(
        revision.resolve("inside.py"),
        """
        import json, os
        def app(environ, start_response):
            with open("/tmp/scratch", "w") as f:
                f.write("ok")
            try:
                open("written-by-app", "w").close()
                revision_writable = True
            except OSError:
                revision_writable = False
            body = json.dumps({
                "tmp": open("/tmp/scratch").read(),
                "revision_writable": revision_writable,
                "state": sorted(os.listdir(os.environ["STATE_DIR"])),
                "pid": os.getpid(),
            }).encode()
            start_response("200 OK", [("Content-Type", "application/json")])
            return [body]
        """);
    Path script = BuiltinWorker.materialize(revision.resolve("worker"));
    InstanceTemplate template =
        new InstanceTemplate(
            "svc",
            "rev",
            BuiltinWorker.command("python3", script, "inside:app", revision, 2),
            Map.of("STATE_DIR", state.toString()),
            revision);
    RecordingListener listener = new RecordingListener();
    SupervisorOptions options =
        SupervisorOptions.defaults()
            .withGrace(Duration.ofSeconds(5))
            .withSandbox(new Sandbox(List.of(state), List.of(revision)));

    try (InstanceSet set = new InstanceSet(template, 1, listener, options);
        HttpClient http = HttpClient.newHttpClient()) {
      set.start();
      StartOutcome outcome = set.awaitFirstReady(Duration.ofSeconds(20));
      assertThat(outcome.ready()).as(outcome.toString()).isTrue();
      ReadyInstance ready = listener.ready().getFirst();
      String body =
          http.send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ready.port() + "/"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      JsonNode seen = new ObjectMapper().readTree(body);

      assertThat(seen.get("tmp").asText()).isEqualTo("ok");
      assertThat(seen.get("revision_writable").asBoolean()).isFalse();
      assertThat(seen.get("state").toString()).isEqualTo("[\"revisions\"]");
      assertThat(seen.get("pid").asInt()).as("its own PID namespace").isLessThan(10);
      assertThat(revision.resolve("written-by-app")).doesNotExist();
      long leader = set.instances().getFirst().pid();

      set.stop(Duration.ofSeconds(5));

      assertThat(listener.awaitEvent(e -> e.kind() == Kind.STOPPED).detail())
          .as("the app got SIGTERM and drained; bubblewrap did not kill it first")
          .isEqualTo("stopped (exited with status 0)");
      assertThat(ProcessGroups.members(leader)).isEmpty();
      assertThat(listener.lines())
          .anyMatch(l -> l.text().contains("SIGTERM: finishing in-flight requests"));
    }
  }
}
