package dev.pylon.revision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RevisionSnapshotsTest {
  @TempDir Path state;
  @TempDir Path app;

  private final RecordingProgress progress = new RecordingProgress();
  private RevisionSnapshots snapshots;

  @BeforeEach
  void setUp() throws Exception {
    snapshots = new RevisionSnapshots(state, progress, Map.of());
    Files.writeString(app.resolve("main.py"), "def app(environ, start_response):\n    pass\n");
    Files.createDirectories(app.resolve("pkg"));
    Files.writeString(app.resolve("pkg/__init__.py"), "VALUE = 1\n");
  }

  private Snapshot take() throws Exception {
    return snapshots.take("hello", app, SystemPython.PATH, List.of("env-key-1"));
  }

  @Test
  void copiesTheAppIntoAReadOnlyRevisionNamedByItsContent() throws Exception {
    Snapshot snapshot = take();

    assertThat(snapshot.reused()).isFalse();
    assertThat(snapshot.revisionId()).matches("hello-[0-9a-f]{12}");
    assertThat(snapshot.dir())
        .isEqualTo(state.resolve("revisions/hello").resolve(snapshot.revisionId()));
    assertThat(snapshot.files()).isEqualTo(2);
    assertThat(snapshot.dir().resolve("pkg/__init__.py")).hasContent("VALUE = 1");
    assertThat(Files.getPosixFilePermissions(snapshot.dir().resolve("main.py")))
        .doesNotContain(PosixFilePermission.OWNER_WRITE);
    assertThat(Files.getPosixFilePermissions(snapshot.dir().resolve("pkg")))
        .doesNotContain(PosixFilePermission.OWNER_WRITE);
    try (Stream<Path> leftovers = Files.list(state.resolve("revisions/hello"))) {
      assertThat(leftovers).allMatch(path -> !path.getFileName().toString().startsWith(".tmp-"));
    }
  }

  @Test
  void theSameSourceGivesTheSameRevisionAndAChangeANewOne() throws Exception {
    Snapshot first = take();
    Snapshot again = take();
    Files.writeString(app.resolve("pkg/__init__.py"), "VALUE = 2\n");
    Snapshot changed = take();
    Snapshot otherIdentity = snapshots.take("hello", app, SystemPython.PATH, List.of("env-key-2"));

    assertThat(again.reused()).isTrue();
    assertThat(again.revisionId()).isEqualTo(first.revisionId());
    assertThat(changed.revisionId()).isNotEqualTo(first.revisionId());
    assertThat(first.dir().resolve("pkg/__init__.py")).hasContent("VALUE = 1");
    assertThat(otherIdentity.revisionId()).isNotEqualTo(changed.revisionId());
  }

  @Test
  void bytecodeIsCompiledAheadOfTimeWithTheRevisionsOwnPaths() throws Exception {
    Snapshot snapshot = take();

    Path pyc = snapshot.dir().resolve("pkg/__pycache__/__init__.cpython-311.pyc");
    assertThat(pyc).exists();
    String recorded =
        SystemPython.run(
            SystemPython.PATH,
            "import marshal,sys; print(marshal.loads(open(sys.argv[1],'rb').read()[16:]).co_filename)"
                .replace("sys.argv[1]", "'" + pyc + "'"));
    assertThat(recorded).isEqualTo(snapshot.dir().resolve("pkg/__init__.py").toString());
  }

  @Test
  void honoursTheIgnoreFileAndAlwaysLeavesOutGitBytecodeAndLocalVirtualenvs() throws Exception {
    Files.writeString(app.resolve(".gcloudignore"), "*.log\nsecrets/\n");
    Files.writeString(app.resolve("debug.log"), "noise\n");
    Files.createDirectories(app.resolve("secrets"));
    Files.writeString(app.resolve("secrets/key.pem"), "secret\n");
    Files.createDirectories(app.resolve(".git"));
    Files.writeString(app.resolve(".git/HEAD"), "ref: refs/heads/main\n");
    Files.createDirectories(app.resolve("pkg/__pycache__"));
    Files.writeString(app.resolve("pkg/__pycache__/stale.cpython-311.pyc"), "x");
    Files.createDirectories(app.resolve(".venv/lib"));
    Files.writeString(app.resolve(".venv/pyvenv.cfg"), "home = /usr/bin\n");
    Files.writeString(app.resolve(".venv/lib/big.py"), "x = 1\n");

    Snapshot snapshot = take();

    assertThat(snapshot.ignoreFile()).contains(".gcloudignore");
    assertThat(snapshot.dir().resolve("main.py")).exists();
    assertThat(snapshot.dir().resolve(".gcloudignore")).exists();
    assertThat(snapshot.dir().resolve("debug.log")).doesNotExist();
    assertThat(snapshot.dir().resolve("secrets")).doesNotExist();
    assertThat(snapshot.dir().resolve(".git")).doesNotExist();
    assertThat(snapshot.dir().resolve("pkg/__pycache__/stale.cpython-311.pyc")).doesNotExist();
    assertThat(snapshot.dir().resolve(".venv")).doesNotExist();
  }

  @Test
  void aDockerignoreExceptionBringsBackAFileInsideAnExcludedFolder() throws Exception {
    Files.writeString(app.resolve(".dockerignore"), "data\n!data/schema.sql\n");
    Files.createDirectories(app.resolve("data"));
    Files.writeString(app.resolve("data/big.csv"), "1,2,3\n");
    Files.writeString(app.resolve("data/schema.sql"), "create table t (id int);\n");

    Snapshot snapshot = take();

    assertThat(snapshot.ignoreFile()).contains(".dockerignore");
    assertThat(snapshot.dir().resolve("data/schema.sql")).exists();
    assertThat(snapshot.dir().resolve("data/big.csv")).doesNotExist();
  }

  @Test
  void aStateFolderKeptInsideTheAppIsNotSnapshotted() throws Exception {
    Path inner = app.resolve(".pylon-state");
    RevisionSnapshots nested = new RevisionSnapshots(inner, progress, Map.of());

    Snapshot first = nested.take("hello", app, SystemPython.PATH, List.of());
    Snapshot second = nested.take("hello", app, SystemPython.PATH, List.of());

    assertThat(first.files()).isEqualTo(2);
    assertThat(second.revisionId()).isEqualTo(first.revisionId());
    assertThat(second.reused()).isTrue();
  }

  @Test
  void anIgnoredFileChangingDoesNotMakeANewRevision() throws Exception {
    Files.writeString(app.resolve(".gitignore"), "*.log\n");
    Files.writeString(app.resolve("debug.log"), "one\n");
    Snapshot first = take();

    Files.writeString(app.resolve("debug.log"), "two\n");

    assertThat(take().revisionId()).isEqualTo(first.revisionId());
  }

  @Test
  void aFileThatDoesNotCompileDoesNotFailTheSnapshot() throws Exception {
    Files.writeString(app.resolve("tool.py"), "print 'python 2'\n");

    Snapshot snapshot = take();

    assertThat(snapshot.dir().resolve("tool.py")).exists();
    assertThat(progress.steps).anyMatch(step -> step.contains("did not compile"));
  }

  @Test
  void aServiceNameMustBeSafeAsAFolderName() {
    assertThatThrownBy(() -> snapshots.take("../etc", app, SystemPython.PATH, List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lowercase letter");
  }
}
