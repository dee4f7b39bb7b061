package dev.pylon.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a user sees when something is wrong: one clear paragraph and a non-zero exit. */
class RunErrorsIT {
  private static final Duration EXIT = Duration.ofSeconds(120);
  @TempDir Path state;

  private static String fixture(String name) {
    return PylonProcess.sourceRoot().resolve("src/test/resources/e2e").resolve(name).toString();
  }

  private PylonProcess run(Map<String, String> env, String... args) throws Exception {
    String[] all = new String[args.length + 4];
    all[0] = "run";
    System.arraycopy(args, 0, all, 1, args.length);
    all[args.length + 1] = "--port";
    all[args.length + 2] = Integer.toString(Http.freePort());
    all[args.length + 3] = "--state-dir=" + state;
    return PylonProcess.start(env, all);
  }

  @Test
  void anAppThatFailsToImportShowsItsTraceback() throws Exception {
    try (PylonProcess pylon = run(Map.of(), fixture("broken-import"))) {
      assertThat(pylon.awaitExit(EXIT)).isNotZero();
      assertThat(pylon.output())
          .contains("no_such_module_for_pylon_tests")
          .contains("Traceback")
          .doesNotContain("at dev.pylon.");
    }
  }

  @Test
  void aFolderWithoutAnAppSaysWhatToAdd() throws Exception {
    try (PylonProcess pylon = run(Map.of(), fixture("no-app"))) {
      assertThat(pylon.awaitExit(EXIT)).isNotZero();
      assertThat(pylon.output()).contains("main.py").doesNotContain("at dev.pylon.");
    }
  }

  @Test
  void aMissingFolderIsNamed() throws Exception {
    try (PylonProcess pylon = run(Map.of(), "/nonexistent/pylon-app")) {
      assertThat(pylon.awaitExit(EXIT)).isNotZero();
      assertThat(pylon.output()).contains("/nonexistent/pylon-app").doesNotContain("at dev.pylon.");
    }
  }

  @Test
  void aPipFailureStopsWithPipsOwnMessage() throws Exception {
    try (PylonProcess pylon =
        run(
            Map.of("PIP_NO_INDEX", "1"),
            fixture("bad-requirement"),
            "--python",
            "/usr/bin/python3",
            "--system-site-packages")) {
      assertThat(pylon.awaitExit(EXIT)).isEqualTo(1);
      assertThat(pylon.output())
          .contains("no-such-package-for-pylon-tests")
          .doesNotContain("at dev.pylon.");
    }
  }

  @Test
  void aPortInUseIsNamedWithAWayOut() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        PylonProcess pylon =
            PylonProcess.start(
                Map.of(),
                "run",
                "examples/hello",
                "--port",
                Integer.toString(taken.getLocalPort()),
                "--state-dir",
                state.toString())) {
      assertThat(pylon.awaitExit(EXIT)).isNotZero();
      assertThat(pylon.output())
          .contains(Integer.toString(taken.getLocalPort()))
          .contains("--port")
          .doesNotContain("at dev.pylon.");
    }
  }

  @Test
  void versionAndHelpWork() throws Exception {
    try (PylonProcess pylon = PylonProcess.start(Map.of(), "--version")) {
      assertThat(pylon.awaitExit(EXIT)).isZero();
      assertThat(pylon.output()).contains("pylon");
    }
    try (PylonProcess pylon = PylonProcess.start(Map.of(), "--help")) {
      assertThat(pylon.awaitExit(EXIT)).isZero();
      assertThat(pylon.output()).contains("run").contains("inspect");
    }
  }
}
