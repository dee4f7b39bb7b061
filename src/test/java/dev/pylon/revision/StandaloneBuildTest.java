package dev.pylon.revision;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Reading a release's SHA256SUMS and naming its files, as python-build-standalone lays them out.
 */
class StandaloneBuildTest {
  private static final String A = "a".repeat(64);
  private static final String B = "B".repeat(64);

  @Test
  void onlyThisMachinesInstallOnlyReleaseBuildsAreListed() {
    String sums =
        A
            + "  cpython-3.12.13+20260610-x86_64-unknown-linux-gnu-install_only.tar.gz\n"
            + B
            + "  cpython-3.13.5+20260610-x86_64-unknown-linux-gnu-install_only.tar.gz\n"
            + A
            + "  cpython-3.12.13+20260610-aarch64-unknown-linux-gnu-install_only.tar.gz\n"
            + A
            + "  cpython-3.12.13+20260610-x86_64_v3-unknown-linux-gnu-install_only.tar.gz\n"
            + A
            + "  cpython-3.12.13+20260610-x86_64-unknown-linux-musl-install_only.tar.gz\n"
            + A
            + "  cpython-3.12.13+20260610-x86_64-unknown-linux-gnu-install_only_stripped.tar.gz\n"
            + A
            + "  cpython-3.13.5+20260610-x86_64-unknown-linux-gnu-freethreaded-install_only.tar.gz\n"
            + A
            + "  cpython-3.12.13+20260610-x86_64-unknown-linux-gnu-pgo+lto-full.tar.zst\n"
            + A
            + "  cpython-3.15.0a1+20260610-x86_64-unknown-linux-gnu-install_only.tar.gz\n"
            + "not a line at all\n";

    assertThat(StandaloneBuild.parse(sums, "x86_64-unknown-linux-gnu"))
        .extracting(b -> b.version() + " " + b.asset() + " " + b.sha256())
        .containsExactly(
            "3.12.13 cpython-3.12.13+20260610-x86_64-unknown-linux-gnu-install_only.tar.gz " + A,
            "3.13.5 cpython-3.13.5+20260610-x86_64-unknown-linux-gnu-install_only.tar.gz "
                + B.toLowerCase(java.util.Locale.ROOT));
  }

  @Test
  void theMirrorIsTheReleaseDownloadPrefixAndThePlusIsEscaped() {
    StandaloneMirror github = StandaloneMirror.fromEnvironment(Map.of());
    StandaloneMirror mine =
        StandaloneMirror.fromEnvironment(
            Map.of(
                "PYLON_PYTHON_MIRROR",
                "https://mirror.example/pbs/",
                "PYLON_PYTHON_RELEASE",
                "20250708"));

    assertThat(github.checksums())
        .isEqualTo(
            URI.create(
                "https://github.com/astral-sh/python-build-standalone/releases/download/"
                    + StandaloneMirror.DEFAULT_RELEASE
                    + "/SHA256SUMS"));
    assertThat(mine.asset("cpython-3.12.11+20250708-x86_64-unknown-linux-gnu-install_only.tar.gz"))
        .isEqualTo(
            URI.create(
                "https://mirror.example/pbs/20250708/cpython-3.12.11%2B20250708-x86_64-unknown-linux-gnu-install_only.tar.gz"));
  }

  @Test
  void theTripleFollowsTheCpu() {
    assertThat(StandaloneMirror.thisMachine("Linux", "amd64").orElseThrow())
        .matches("x86_64-unknown-linux-(gnu|musl)");
    assertThat(StandaloneMirror.thisMachine("Linux", "aarch64").orElseThrow())
        .startsWith("aarch64-unknown-linux-");
    assertThat(StandaloneMirror.thisMachine("Mac OS X", "aarch64"))
        .isEqualTo(Optional.of("aarch64-apple-darwin"));
    assertThat(StandaloneMirror.thisMachine("Linux", "s390x")).isEmpty();
    assertThat(StandaloneMirror.thisMachine("Windows 11", "amd64")).isEmpty();
  }
}
