package dev.pylon.revision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pylon.spec.PythonFinder;
import dev.pylon.spec.PythonProvisionException;
import dev.pylon.spec.PythonVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Downloads from a mirror on loopback: a real archive, a real unpack, a real interpreter. */
class StandalonePythonsTest {

  private static List<String> leftIn(Path state) throws IOException {
    Path pythons = state.resolve("pythons");
    if (!Files.isDirectory(pythons)) {
      return List.of();
    }
    try (Stream<Path> children = Files.list(pythons)) {
      return children
          .map(p -> p.getFileName().toString())
          .filter(n -> !n.equals(".lock"))
          .sorted()
          .toList();
    }
  }

  @Test
  void aBuildIsDownloadedCheckedUnpackedAndRunsFromTheStateDirectory(@TempDir Path state)
      throws Exception {
    try (LocalPythonMirror mirror = LocalPythonMirror.start()) {
      List<String> progress = new ArrayList<>();
      StandalonePythons pythons = new StandalonePythons(state, mirror.mirror(), progress::add);

      assertThat(pythons.installable())
          .as("pre-releases and other machines' builds are not offered")
          .containsExactly(PythonVersion.parse(mirror.version()).orElseThrow());
      Path python = pythons.install(PythonVersion.parse(mirror.version()).orElseThrow());

      assertThat(python)
          .startsWithRaw(state.resolve("pythons"))
          .endsWithRaw(Path.of("bin/python3"));
      assertThat(
              SystemPython.run(
                  python, "import sys, platform; print(platform.python_version(), sys.prefix)"))
          .isEqualTo(mirror.version() + " " + python.getParent().getParent());
      assertThat(progress)
          .anySatisfy(l -> assertThat(l).startsWith("downloading Python " + mirror.version()))
          .anySatisfy(l -> assertThat(l).contains("SHA-256 checked"));
      assertThat(StandalonePythons.sourceOf(python.getParent().getParent()).orElseThrow())
          .contains("sha256=")
          .contains("release=" + LocalPythonMirror.RELEASE);
      assertThat(leftIn(state))
          .containsExactly(python.getParent().getParent().getFileName().toString());
    }
  }

  @Test
  void aBuildInstalledEarlierIsUsedAgainWithoutADownload(@TempDir Path state) throws Exception {
    try (LocalPythonMirror mirror = LocalPythonMirror.start()) {
      PythonVersion v = PythonVersion.parse(mirror.version()).orElseThrow();
      Path first = new StandalonePythons(state, mirror.mirror(), l -> {}).install(v);
      Path second = new StandalonePythons(state, mirror.mirror(), l -> {}).install(v);

      assertThat(second).isEqualTo(first);
      assertThat(mirror.archiveRequests()).isEqualTo(1);
    }
  }

  @Test
  void theFinderSeesProvisionedBuilds(@TempDir Path state, @TempDir Path home) throws Exception {
    try (LocalPythonMirror mirror = LocalPythonMirror.start()) {
      Path python =
          new StandalonePythons(state, mirror.mirror(), l -> {})
              .install(PythonVersion.parse(mirror.version()).orElseThrow());
      PythonFinder finder =
          new PythonFinder(
              Map.of("PATH", home.toString()),
              home,
              Duration.ofSeconds(10),
              List.of(),
              Optional.of(state.resolve("pythons")));

      assertThat(finder.all())
          .singleElement()
          .satisfies(
              f -> {
                assertThat(f.where()).isEqualTo("pylon");
                assertThat(f.version()).isEqualTo(mirror.version());
                assertThat(f.foundAs()).isEqualTo(python);
              });
    }
  }

  @Test
  void aWrongChecksumInstallsNothing(@TempDir Path state) throws Exception {
    try (LocalPythonMirror mirror = LocalPythonMirror.start()) {
      mirror.fail(LocalPythonMirror.Fault.WRONG_CHECKSUM);
      StandalonePythons pythons = new StandalonePythons(state, mirror.mirror(), l -> {});

      assertThatThrownBy(() -> pythons.install(PythonVersion.parse(mirror.version()).orElseThrow()))
          .isInstanceOf(PythonProvisionException.class)
          .hasMessageContaining("has SHA-256 ")
          .hasMessageContaining("but the release's SHA256SUMS says " + "0".repeat(64))
          .hasMessageEndingWith("nothing was installed");
      assertThat(leftIn(state)).isEmpty();
    }
  }

  @Test
  void aDownloadCutOffHalfWayInstallsNothing(@TempDir Path state) throws Exception {
    try (LocalPythonMirror mirror = LocalPythonMirror.start()) {
      mirror.fail(LocalPythonMirror.Fault.CUT_OFF);
      StandalonePythons pythons = new StandalonePythons(state, mirror.mirror(), l -> {});

      assertThatThrownBy(() -> pythons.install(PythonVersion.parse(mirror.version()).orElseThrow()))
          .isInstanceOf(PythonProvisionException.class)
          .hasMessageContaining("stopped after")
          .hasMessageContaining("nothing was installed");
      assertThat(leftIn(state)).isEmpty();
    }
  }

  @Test
  void aMissingArchiveNamesTheAddressAndTheLayout(@TempDir Path state) throws Exception {
    try (LocalPythonMirror mirror = LocalPythonMirror.start()) {
      mirror.fail(LocalPythonMirror.Fault.NO_ARCHIVE);
      StandalonePythons pythons = new StandalonePythons(state, mirror.mirror(), l -> {});

      assertThatThrownBy(() -> pythons.install(PythonVersion.parse(mirror.version()).orElseThrow()))
          .isInstanceOf(PythonProvisionException.class)
          .hasMessageStartingWith(mirror.base() + "/" + LocalPythonMirror.RELEASE + "/cpython-")
          .hasMessageEndingWith("answered HTTP 404")
          .satisfies(
              e ->
                  assertThat(((PythonProvisionException) e).hint())
                      .contains("RELEASE/SHA256SUMS and RELEASE/ARCHIVE"));
      assertThat(leftIn(state)).isEmpty();
    }
  }

  @Test
  void aReleaseTheMirrorDoesNotHaveIsAClearError(@TempDir Path state) throws Exception {
    try (LocalPythonMirror mirror = LocalPythonMirror.start()) {
      mirror.fail(LocalPythonMirror.Fault.NO_RELEASE);
      StandalonePythons pythons = new StandalonePythons(state, mirror.mirror(), l -> {});

      assertThatThrownBy(pythons::installable)
          .isInstanceOf(PythonProvisionException.class)
          .hasMessage(
              mirror.base() + "/" + LocalPythonMirror.RELEASE + "/SHA256SUMS answered HTTP 404")
          .satisfies(
              e ->
                  assertThat(((PythonProvisionException) e).hint())
                      .contains("check PYLON_PYTHON_RELEASE and PYLON_PYTHON_MIRROR"));
    }
  }

  @Test
  void anUnreachableMirrorSaysSo(@TempDir Path state) throws Exception {
    int closedPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    StandalonePythons pythons =
        new StandalonePythons(
            state,
            StandaloneMirror.fromEnvironment(
                Map.of("PYLON_PYTHON_MIRROR", "http://127.0.0.1:" + closedPort + "/pbs")),
            l -> {});

    assertThatThrownBy(pythons::installable)
        .isInstanceOf(PythonProvisionException.class)
        .hasMessageStartingWith(
            "cannot read http://127.0.0.1:"
                + closedPort
                + "/pbs/"
                + StandaloneMirror.DEFAULT_RELEASE
                + "/SHA256SUMS: ")
        .satisfies(
            e -> assertThat(((PythonProvisionException) e).hint()).contains("PYLON_PYTHON_MIRROR"));
  }

  @Test
  void downloadsGoThroughTheProxyTheEnvironmentNames(@TempDir Path state) throws Exception {
    try (LocalPythonMirror mirror = LocalPythonMirror.start();
        LoopbackForwardProxy proxy = LoopbackForwardProxy.open()) {
      Map<String, String> env = new java.util.HashMap<>(mirror.env());
      env.put("http_proxy", "http://127.0.0.1:" + proxy.port());
      Path python =
          ((StandalonePythons) StandalonePythons.fromEnvironment(state, env, l -> {}))
              .install(PythonVersion.parse(mirror.version()).orElseThrow());

      assertThat(python).exists();
      assertThat(proxy.forwarded())
          .anyMatch(
              line -> line.startsWith("GET " + mirror.base() + "/") && line.contains("SHA256SUMS"))
          .anyMatch(line -> line.contains("install_only.tar.gz"));
    }
  }

  @Test
  void aProxyAddressWithCredentialsAnswersTheProxysChallenge(@TempDir Path state) throws Exception {
    try (LocalPythonMirror mirror = LocalPythonMirror.start();
        LoopbackForwardProxy proxy = LoopbackForwardProxy.requiring("pylon", "s3cr:et")) {
      Map<String, String> env = new java.util.HashMap<>(mirror.env());
      env.put("HTTP_PROXY", "http://pylon:s3cr%3Aet@127.0.0.1:" + proxy.port());
      PythonVersion v = PythonVersion.parse(mirror.version()).orElseThrow();
      assertThat(StandalonePythons.fromEnvironment(state, env, l -> {}).install(v)).exists();
      assertThat(proxy.challenged()).isNotEmpty();
      assertThat(proxy.forwarded()).anyMatch(line -> line.contains("install_only.tar.gz"));
    }
  }

  @Test
  void aProxyThatRefusesTheCredentialsIsNamedWithoutThePassword(@TempDir Path state)
      throws Exception {
    try (LocalPythonMirror mirror = LocalPythonMirror.start();
        LoopbackForwardProxy proxy = LoopbackForwardProxy.requiring("pylon", "right")) {
      Map<String, String> env = new java.util.HashMap<>(mirror.env());
      env.put("http_proxy", "http://pylon:wrong@127.0.0.1:" + proxy.port());
      PythonVersion v = PythonVersion.parse(mirror.version()).orElseThrow();

      assertThatThrownBy(() -> StandalonePythons.fromEnvironment(state, env, l -> {}).install(v))
          .isInstanceOf(PythonProvisionException.class)
          .hasMessageContaining("407")
          .satisfies(e -> assertThat(e.getMessage() + e).doesNotContain("wrong"));
      assertThat(leftIn(state)).isEmpty();
    }
  }

  @Test
  void noProxyHostsAreReachedDirectly(@TempDir Path state) throws Exception {
    try (LocalPythonMirror mirror = LocalPythonMirror.start();
        LoopbackForwardProxy proxy = LoopbackForwardProxy.open()) {
      Map<String, String> env = new java.util.HashMap<>(mirror.env());
      env.put("http_proxy", "http://127.0.0.1:" + proxy.port());
      env.put("no_proxy", "localhost, 127.0.0.1");
      PythonVersion v = PythonVersion.parse(mirror.version()).orElseThrow();
      assertThat(StandalonePythons.fromEnvironment(state, env, l -> {}).install(v)).exists();
      assertThat(proxy.forwarded()).isEmpty();
    }
  }

  @Test
  void aDownloadThatStopsSendingIsGivenUpAfterTheStallTimeout(@TempDir Path state)
      throws Exception {
    try (LocalPythonMirror mirror = LocalPythonMirror.start()) {
      mirror.fail(LocalPythonMirror.Fault.STALL);
      StandalonePythons pythons =
          new StandalonePythons(
              state, mirror.mirror(), l -> {}, HttpProxies.NONE, Duration.ofSeconds(1));

      assertThatThrownBy(() -> pythons.install(PythonVersion.parse(mirror.version()).orElseThrow()))
          .isInstanceOf(PythonProvisionException.class)
          .hasMessageContaining("nothing arrived for 1 s")
          .hasMessageContaining("nothing was installed");
      assertThat(leftIn(state)).isEmpty();
    }
  }

  @Test
  void aProxyVariableThatIsNotAnHttpProxyFailsOnlyWhenADownloadIsNeeded(@TempDir Path state)
      throws Exception {
    var pythons =
        StandalonePythons.fromEnvironment(
            state, Map.of("https_proxy", "socks5://127.0.0.1:1080"), l -> {});
    assertThatThrownBy(pythons::installable)
        .isInstanceOf(PythonProvisionException.class)
        .hasMessageContaining("https_proxy names a socks5 proxy")
        .hasMessageContaining("http://HOST:PORT");
  }

  @Test
  void automaticDownloadsCanBeTurnedOff(@TempDir Path state) {
    assertThatThrownBy(
            () ->
                StandalonePythons.automatic(
                        state, Map.of("PYLON_PYTHON_DOWNLOADS", "never"), l -> {})
                    .installable())
        .isInstanceOf(PythonProvisionException.class)
        .hasMessage("automatic Python downloads are off (PYLON_PYTHON_DOWNLOADS=never)");
  }
}
