package dev.pylon.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./pylon run} against each example, as a user runs it: real launcher, real Python servers,
 * real HTTP through the router, and a real signal to stop it.
 */
class RunExamplesIT {
  private static final Duration START = Duration.ofSeconds(120);

  /** Debian's packages stand in for PyPI, which this machine cannot reach. */
  private static final Map<String, String> OFFLINE_PIP = Map.of("PIP_NO_INDEX", "1");

  private final Http http = new Http();
  @TempDir Path state;

  @Test
  void helloIsServedWithForwardedHeadersAndTheInstanceEnvironment() throws Exception {
    int port = Http.freePort();
    try (PylonProcess pylon =
        PylonProcess.serving(Map.of(), state, port, "examples/hello", "--instances", "2")) {
      assertThat(pylon.output()).contains("built-in");

      HttpResponse<String> hello = http.get(port, "/");
      assertThat(hello.statusCode()).isEqualTo(200);
      assertThat(hello.body()).isEqualTo("Hello from Pylon!\n");

      String headers = http.get(port, "/headers", "X-Forwarded-For", "203.0.113.9").body();
      assertThat(headers)
          .contains("\"X-Forwarded-Proto\": \"http\"")
          .contains("\"X-Forwarded-Host\": \"127.0.0.1:" + port + "\"")
          .containsPattern("\"X-Forwarded-For\": \"[^\"]*127\\.0\\.0\\.1\"");

      String env = http.get(port, "/env").body();
      assertThat(env)
          .contains("\"K_SERVICE\": \"hello\"")
          .contains("\"K_CONFIGURATION\": \"hello\"")
          .contains("\"PYTHONUNBUFFERED\": \"1\"")
          .containsPattern("\"K_REVISION\": \"hello-[0-9a-f]{6,}\"")
          .doesNotContain("\"PORT\": \"" + port + "\"");

      List<ProcessHandle> started = pylon.descendants();
      assertThat(started).isNotEmpty();
      pylon.signal("INT");
      pylon.awaitExit(Duration.ofSeconds(30));
      assertThat(started).noneMatch(ProcessHandle::isAlive);
    }
  }

  @Test
  void aKilledInstanceIsReplacedAndTrafficKeepsFlowing() throws Exception {
    int port = Http.freePort();
    try (PylonProcess pylon =
        PylonProcess.serving(Map.of(), state, port, "examples/hello", "--instances", "2")) {
      long victim = pidOf(http.get(port, "/pid").body());
      ProcessHandle.of(victim).orElseThrow().destroyForcibly();

      pylon.awaitLine(line -> line.contains("restart"), Duration.ofSeconds(30));
      List<Integer> statuses = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        statuses.add(http.get(port, "/").statusCode());
      }
      assertThat(statuses).as("requests after the restart").containsOnly(200);
      assertThat(pylon.descendants().stream().map(ProcessHandle::pid)).doesNotContain(victim);
      pylon.signal("TERM");
      pylon.awaitExit(Duration.ofSeconds(30));
    }
  }

  @Test
  void flaskRunsOnGunicornFromItsRequirements() throws Exception {
    servesExample("flask", "/", "Hello from Flask on Pylon!", "gunicorn");
  }

  @Test
  void fastApiRunsOnUvicorn() throws Exception {
    // Debian's fastapi 0.92 declares starlette<0.26 but Debian ships starlette 0.26.1 (it works),
    // so pip's resolver, which cannot fetch another starlette offline, is told not to chase it.
    servesExample(
        "fastapi",
        "/",
        "Hello from FastAPI on Pylon!",
        "uvicorn",
        Map.of("PIP_NO_INDEX", "1", "PIP_NO_DEPS", "1"));
  }

  @Test
  void djangoIsFoundByManagePy() throws Exception {
    servesExample("django", "/", "Hello from Django on Pylon!", "gunicorn");
  }

  private void servesExample(String example, String path, String body, String server)
      throws Exception {
    servesExample(example, path, body, server, OFFLINE_PIP);
  }

  private void servesExample(
      String example, String path, String body, String server, Map<String, String> pip)
      throws Exception {
    int port = Http.freePort();
    try (PylonProcess pylon =
        PylonProcess.serving(
            pip,
            state,
            port,
            "examples/" + example,
            "--python",
            "/usr/bin/python3",
            "--system-site-packages")) {
      assertThat(pylon.output()).contains(server);
      HttpResponse<String> response = http.get(port, path);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).contains(body);

      List<ProcessHandle> started = pylon.descendants();
      pylon.signal("TERM");
      pylon.awaitExit(Duration.ofSeconds(30));
      assertThat(started).as("processes left after SIGTERM").noneMatch(ProcessHandle::isAlive);
    }
  }

  private static long pidOf(String json) {
    Matcher matcher = Pattern.compile("\"pid\": ?(\\d+)").matcher(json);
    assertThat(matcher.find()).as("a pid in " + json).isTrue();
    return Long.parseLong(matcher.group(1));
  }
}
