package dev.pylon.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loading ahead of the probe, with a real Python: after an edit the spec comes at once from the
 * answer the probe gave before, the probe imports the changed app meanwhile, and {@code
 * confirmed()} says whether that answer still holds. Each import leaves a folder in {@code marks}.
 */
class SpecAheadTest {
  private static final String WSGI =
      "import os, time\n"
          + "os.mkdir(os.path.join(os.environ['MARKS'], str(time.time_ns())))\n"
          + "def app(environ, start_response):\n    return []\n";
  private static final String ASGI =
      WSGI.replace("def app(environ, start_response)", "async def app(scope, receive, send)");

  @TempDir Path app;
  @TempDir Path marks;
  @TempDir Path state;
  private SpecLoader loader;
  private static int settled = 0;

  @BeforeEach
  void firstBuild() throws IOException {
    Files.writeString(
        app.resolve("app.yaml"), "env_variables:\n  MARKS: \"" + marks.toString() + "\"\n");
    write(WSGI);
    loader = new SpecLoader(TestPythons.FINDER, Duration.ofSeconds(20)).withProbeCache(state);
    try (SpecAhead first = ahead()) {
      assertThat(first.isSettled()).as("nothing cached: the probe is awaited").isTrue();
      assertThat(kind(first.result())).isEqualTo(AppTarget.Kind.WSGI);
    }
    assertThat(imports()).isEqualTo(1);
  }

  @Test
  void anUnchangedAppIsSettledFromTheCache() throws Exception {
    try (SpecAhead again = ahead()) {
      assertThat(again.isSettled()).isTrue();
      assertThat(again.confirmed()).isSameAs(again.result());
    }
    assertThat(imports()).isEqualTo(1);
  }

  @Test
  void anEditThatKeepsWhatTheAppIsIsConfirmedAsItWas() throws Exception {
    write(WSGI + "# an edit\n");
    try (SpecAhead ahead = ahead()) {
      assertThat(ahead.isSettled()).as("the probe runs again").isFalse();
      assertThat(kind(ahead.result())).isEqualTo(AppTarget.Kind.WSGI);
      assertThat(ahead.confirmed()).isSameAs(ahead.result());
    }
    assertThat(imports()).isEqualTo(2);
  }

  @Test
  void anEditThatChangesWhatTheAppIsGivesTheFreshSpec() throws Exception {
    write(ASGI);
    try (SpecAhead ahead = ahead()) {
      assertThat(kind(ahead.result())).as("the answer from before").isEqualTo(AppTarget.Kind.WSGI);
      assertThat(ahead.confirmed()).isNotSameAs(ahead.result());
      assertThat(kind(ahead.confirmed())).isEqualTo(AppTarget.Kind.ASGI);
    }
    try (SpecAhead next = ahead()) {
      assertThat(next.isSettled()).isTrue();
      assertThat(kind(next.result())).isEqualTo(AppTarget.Kind.ASGI);
    }
  }

  @Test
  void aSyntaxErrorIsReportedFromTheFreshImport() throws Exception {
    write("def app(environ, start_response:\n    return []\n");
    try (SpecAhead ahead = ahead()) {
      assertThat(ahead.confirmed()).isInstanceOf(SpecResult.Invalid.class);
      assertThat(((SpecResult.Invalid) ahead.confirmed()).errors().get(0).render())
          .contains("main.py");
    }
  }

  @Test
  void aProbeNotAwaitedIsStoppedOnClose() throws Exception {
    write(WSGI.replace("import os, time\n", "import os, time\ntime.sleep(30)\n"));
    Instant started = Instant.now();
    try (SpecAhead ahead = ahead()) {
      assertThat(ahead.isSettled()).isFalse();
    }
    assertThat(Duration.between(started, Instant.now())).isLessThan(Duration.ofSeconds(20));
    Thread.sleep(500);
    try (Stream<ProcessHandle> children = ProcessHandle.current().children()) {
      assertThat(children.filter(p -> p.info().commandLine().orElse("").contains("pylon-probe")))
          .as("no probe left running")
          .isEmpty();
    }
  }

  private SpecAhead ahead() {
    return loader.loadAhead(app, SpecOverrides.none());
  }

  private static AppTarget.Kind kind(SpecResult result) {
    assertThat(result).isInstanceOf(SpecResult.Loaded.class);
    return ((SpecResult.Loaded) result).spec().app().orElseThrow().kind();
  }

  /** Writes main.py dated a while back (the cache keeps nothing read in the second before). */
  private void write(String code) throws IOException {
    Path main = app.resolve("main.py");
    Files.writeString(main, code);
    settled++;
    Files.setLastModifiedTime(
        main, FileTime.from(Instant.now().minus(Duration.ofMinutes(60 - settled))));
    Files.setLastModifiedTime(
        app, FileTime.from(Instant.now().minus(Duration.ofMinutes(60 - settled))));
  }

  private long imports() throws IOException {
    try (Stream<Path> made = Files.list(marks)) {
      return made.count();
    }
  }
}
