package dev.pylon.revision;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourceStampTest {
  @TempDir Path app;
  @TempDir Path state;

  @Test
  void aStampChangesWithWhatASnapshotWouldCopyAndOnlyWithThat() throws Exception {
    Files.writeString(app.resolve("main.py"), "app = None\n");
    Files.writeString(app.resolve(".gcloudignore"), "logs/\n");
    Files.createDirectories(app.resolve("logs"));
    SourceStamp before = SourceStamp.of(app, state);
    assertThat(SourceStamp.of(app, state)).isEqualTo(before);

    Files.writeString(app.resolve("logs/app.log"), "ignored\n");
    assertThat(SourceStamp.of(app, state)).as("an ignored file").isEqualTo(before);

    // Same size, another time: rewritten.
    Files.writeString(app.resolve("main.py"), "app = 1234\n");
    Files.setLastModifiedTime(app.resolve("main.py"), FileTime.from(Instant.now().plusSeconds(5)));
    assertThat(SourceStamp.of(app, state)).isNotEqualTo(before);

    SourceStamp edited = SourceStamp.of(app, state);
    Files.writeString(app.resolve("new.py"), "");
    assertThat(SourceStamp.of(app, state)).as("a new file").isNotEqualTo(edited);
  }
}
