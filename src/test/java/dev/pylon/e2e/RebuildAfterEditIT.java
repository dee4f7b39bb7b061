package dev.pylon.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pylon build} after an edit, through the launcher: the build copies and compiles the app
 * while the probe imports the edited code, and the revision it makes is the one a build with the
 * fresh answer makes, also when the edit changed what the app is or when the import writes into the
 * app's own folder.
 */
class RebuildAfterEditIT {
  private static final Duration EXIT = Duration.ofSeconds(120);
  private static final String WSGI = "def app(environ, start_response):\n    return []\n";
  @TempDir Path state;
  @TempDir Path app;
  private int edits = 0;

  private String build(String... more) throws Exception {
    String[] args = new String[4 + more.length];
    args[0] = "build";
    args[1] = app.toString();
    args[2] = "--state-dir";
    args[3] = state.toString();
    System.arraycopy(more, 0, args, 4, more.length);
    try (PylonProcess pylon = PylonProcess.start(Map.of(), args)) {
      assertThat(pylon.awaitExit(EXIT)).as(pylon.output()).isZero();
      return pylon.output();
    }
  }

  private static String field(String json, String name) {
    return json.replaceAll("(?s).*\"" + name + "\" : \"([^\"]+)\".*", "$1");
  }

  /** Writes main.py dated a while back, as code written before the build. */
  private void edit(String code) throws IOException {
    Path main = app.resolve("main.py");
    Files.writeString(main, code);
    edits++;
    FileTime past = FileTime.from(Instant.now().minus(Duration.ofMinutes(60 - edits)));
    Files.setLastModifiedTime(main, past);
    Files.setLastModifiedTime(app, past);
  }

  @Test
  void anEditThatMakesTheAppAsgiGivesTheRevisionASettledBuildGives() throws Exception {
    edit(WSGI);
    build();
    edit("async def app(scope, receive, send):\n    pass\n");
    String edited = build();
    assertThat(edited).contains("Importing the app found it changed").contains("building again");
    String settled = build("--json");
    assertThat(settled).contains("\"snapshotReused\" : true");
    assertThat(edited).contains("Built " + field(settled, "revision"));
  }

  @Test
  void anEditThatKeepsTheAppWhatItWasIsBuiltOnce() throws Exception {
    edit(WSGI);
    build();
    edit(WSGI + "# an edit\n");
    String edited = build("--json");
    String again = build("--json");
    assertThat(field(again, "revision")).isEqualTo(field(edited, "revision"));
    assertThat(again).contains("\"snapshotReused\" : true");
  }

  @Test
  void aFileTheImportRewritesInTheFolderIsCopiedAsItIsAfterTheImport() throws Exception {
    // Written by another process (here a shell; a C library would do as well), which the probe's
    // audit hook does not see, into a file that exists (so the folder's listing does not change):
    // the answer is cached, and the next build copies the folder while the import writes it.
    String writes =
        "import os\n"
            + "os.system('echo started > visits.txt; sleep 0.4; echo finished > visits.txt')\n"
            + WSGI;
    Files.writeString(app.resolve("visits.txt"), "none yet\n");
    edit(writes);
    build();
    edit(writes + "# an edit\n");
    String edited = build();
    assertThat(edited).contains("changed while they were copied").contains("building again");
    Path revision = Path.of(field(build("--json"), "dir"));
    assertThat(Files.readString(revision.resolve("visits.txt"))).isEqualTo("finished\n");
  }
}
