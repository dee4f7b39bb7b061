package dev.pylon.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What Pylon says about CRIU, from what {@code criu check} answers. */
class CriuCheckTest {
  @Test
  void aFailingCheckIsQuotedByItsCauseAndConclusion() {
    CriuCheck check =
        new CriuCheck(
            List.of(
                "/bin/sh",
                "-c",
                "echo 'Error (criu/vdso.c:381): vdso: Unexpected rt vDSO area bounds';"
                    + " echo; echo 'Error (criu/crtools.c:260): Could not initialize kernel"
                    + " features detection.' >&2; exit 1"));

    CriuCheck.Result result = check.result();

    assertThat(result.usable()).isFalse();
    assertThat(result.reason())
        .isEqualTo(
            "criu check fails here: \"Error (criu/vdso.c:381): vdso: Unexpected rt vDSO area"
                + " bounds\" ... \"Error (criu/crtools.c:260): Could not initialize kernel features"
                + " detection.\"");
    assertThat(check.result()).isSameAs(result);
  }

  @Test
  void aPassingCheckStillSaysSnapshotsAreNotRestoredYet() {
    CriuCheck.Result result = new CriuCheck(List.of("/bin/sh", "-c", "echo Looks good.")).result();

    assertThat(result.usable()).isTrue();
    assertThat(result.reason()).contains("does not restore CRIU snapshots yet");
  }

  @Test
  void aMissingCriuIsSaidSo() {
    CriuCheck.Result result = new CriuCheck(List.of("/nonexistent/criu", "check")).result();

    assertThat(result.usable()).isFalse();
    assertThat(result.reason()).startsWith("criu is not installed");
  }

  @Test
  void silenceGivesTheExitStatus() {
    assertThat(CriuCheck.summary("\n  \n", 52)).isEqualTo("exit status 52");
    assertThat(CriuCheck.summary("only line\n", 1)).isEqualTo("\"only line\"");
  }
}
