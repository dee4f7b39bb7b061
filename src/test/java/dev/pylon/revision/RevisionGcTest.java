package dev.pylon.revision;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RevisionGcTest {
  @TempDir Path state;
  @TempDir Path app;

  @Test
  void deletesOldUnusedRevisionsAndLeftoverCopiesButKeepsThoseInUse() throws Exception {
    RevisionSnapshots snapshots = new RevisionSnapshots(state, BuildProgress.SILENT, Map.of());
    Files.writeString(app.resolve("main.py"), "VERSION = 1\n");
    Snapshot serving = snapshots.take("hello", app, SystemPython.PATH, List.of());
    Files.writeString(app.resolve("main.py"), "VERSION = 2\n");
    Snapshot old = snapshots.take("hello", app, SystemPython.PATH, List.of());
    Files.writeString(PreStartRunner.markerOf(old.dir()), "true");
    Path leftover =
        Files.createDirectories(state.resolve("revisions/hello/.tmp-hello-abc-123/pkg"))
            .getParent();
    Instant longAgo = Instant.now().minus(Duration.ofDays(30));
    for (Path dir : new Path[] {serving.dir(), old.dir(), leftover}) {
      Files.setLastModifiedTime(dir, FileTime.from(longAgo));
    }

    GcReport report =
        new RevisionGc(state)
            .collect(Set.of(serving.dir()), GcPolicy.DEFAULT.withKeepRecent(0), Instant.now());

    assertThat(report.deleted())
        .extracting(CacheEntry::dir)
        .containsExactlyInAnyOrder(old.dir(), leftover);
    assertThat(serving.dir().resolve("main.py")).hasContent("VERSION = 1");
    assertThat(old.dir()).doesNotExist();
    assertThat(PreStartRunner.markerOf(old.dir())).doesNotExist();
    assertThat(leftover).doesNotExist();
  }
}
