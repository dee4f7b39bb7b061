package dev.pylon.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The import probe's cache, with a real Python: an answer is reused while nothing the import read
 * changed, and the app is imported again when its code, a module it imports, its folder, the
 * environment or the cache entry itself changes. Each import leaves a folder in {@code marks} (made
 * with mkdir, which the probe does not count as reading), so the test sees how many ran.
 */
class ProbeCacheTest {
  private static final String WSGI =
      "import os, time\n"
          + "os.mkdir(os.path.join(os.environ['MARKS'], str(time.time_ns())))\n"
          + "import helper\n"
          + "def app(environ, start_response):\n    return []\n";
  private static final String ASGI =
      WSGI.replace("def app(environ, start_response)", "async def app(scope, receive, send)");

  private final Interpreter python = python();
  @TempDir Path app;
  @TempDir Path marks;
  @TempDir Path state;

  private static Interpreter python() {
    PythonFinder.Found f = TestPythons.FINDER.firstOnPath().orElseThrow();
    return new Interpreter(f.executable(), f.version(), "test");
  }

  @BeforeEach
  void writeApp() throws IOException {
    write("main.py", WSGI);
    write("helper.py", "GREETING = 'hi'\n");
    settle(app.resolve("main.py"));
    settle(app.resolve("helper.py"));
    settle(app);
  }

  @Test
  void theSameQuestionIsAnsweredFromTheCacheWhileNothingChanged() throws Exception {
    assertThat(probe(Map.of())).isEqualTo(new AppProbe.Answer.Inspected("wsgi", "function app"));
    assertThat(probe(Map.of())).isEqualTo(new AppProbe.Answer.Inspected("wsgi", "function app"));
    assertThat(imports()).isEqualTo(1);
    try (Stream<Path> entries = Files.list(state)) {
      assertThat(entries.filter(p -> p.toString().endsWith(".json"))).hasSize(1);
    }
  }

  @Test
  void changedAppCodeIsImportedAgainAndTheNewAnswerGiven() throws Exception {
    probe(Map.of());
    write("main.py", ASGI);
    settle(app.resolve("main.py"));
    assertThat(probe(Map.of())).isEqualTo(new AppProbe.Answer.Inspected("asgi", "function app"));
    assertThat(imports()).isEqualTo(2);
    assertThat(probe(Map.of())).isEqualTo(new AppProbe.Answer.Inspected("asgi", "function app"));
    assertThat(imports()).isEqualTo(2);
  }

  @Test
  void aChangedModuleTheAppImportsIsImportedAgain() throws Exception {
    probe(Map.of());
    write("helper.py", "GREETING = 'hello'\n");
    settle(app.resolve("helper.py"));
    probe(Map.of());
    assertThat(imports()).isEqualTo(2);
  }

  @Test
  void aNewFileInTheAppFolderIsImportedAgain() throws Exception {
    // helper.py may now be shadowed (a helper/ package beside it): the folder's listing changed.
    probe(Map.of());
    Files.createDirectories(app.resolve("helper"));
    write("helper/__init__.py", "raise ImportError('the package wins')\n");
    settle(app.resolve("helper/__init__.py"));
    settle(app);
    settle(app.resolve("helper"));
    assertThat(probe(Map.of())).isInstanceOf(AppProbe.Answer.ImportFailed.class);
    assertThat(imports()).isEqualTo(2);
  }

  @Test
  void anotherEnvironmentIsAnotherQuestion() throws Exception {
    probe(Map.of());
    probe(Map.of("FEATURE", "on"));
    probe(Map.of("FEATURE", "on"));
    assertThat(imports()).isEqualTo(2);
  }

  @Test
  void aCorruptOrEmptiedEntryIsProbedAgain() throws Exception {
    probe(Map.of());
    Path entry;
    try (Stream<Path> entries = Files.list(state)) {
      entry = entries.filter(p -> p.toString().endsWith(".json")).findFirst().orElseThrow();
    }
    Files.writeString(entry, "{\"answer\": \"not json");
    assertThat(probe(Map.of())).isEqualTo(new AppProbe.Answer.Inspected("wsgi", "function app"));
    Files.writeString(entry, "");
    assertThat(probe(Map.of())).isEqualTo(new AppProbe.Answer.Inspected("wsgi", "function app"));
    assertThat(imports()).isEqualTo(3);
  }

  @Test
  void aFailedImportIsNotKept() throws Exception {
    write(
        "main.py",
        "import os, time\n"
            + "os.mkdir(os.path.join(os.environ['MARKS'], str(time.time_ns())))\n"
            + "import not_installed_anywhere\n");
    settle(app.resolve("main.py"));
    assertThat(probe(Map.of())).isInstanceOf(AppProbe.Answer.ImportFailed.class);
    assertThat(probe(Map.of())).isInstanceOf(AppProbe.Answer.ImportFailed.class);
    assertThat(imports()).isEqualTo(2);
  }

  private AppProbe.Answer probe(Map<String, String> extraEnv) {
    AppTarget target =
        new AppTarget("main", "app", AppTarget.Kind.UNKNOWN, Optional.empty(), Path.of(""), "t");
    Map<String, String> env = new java.util.HashMap<>(extraEnv);
    env.put("MARKS", marks.toString());
    return new AppProbe(Duration.ofSeconds(20), Optional.of(new ProbeCache(state)))
        .probe(python, app, target, env);
  }

  private long imports() throws IOException {
    try (Stream<Path> made = Files.list(marks)) {
      return made.count();
    }
  }

  private void write(String name, String text) throws IOException {
    Files.writeString(app.resolve(name), text);
  }

  /**
   * Moves a path's modification time into the past, as for code written a while before the build:
   * the cache keeps no answer that read a file changed in the second before the probe. Each call
   * moves it to another time, so a rewritten file never looks unchanged.
   */
  private static int settled = 0;

  private static void settle(Path path) throws IOException {
    settled++;
    Files.setLastModifiedTime(
        path, FileTime.from(Instant.now().minus(Duration.ofMinutes(60 - settled))));
  }
}
