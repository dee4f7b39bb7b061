package dev.pylon.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A shim's output file is appended to by the instance for as long as it runs: what has been read
 * gives its disk space back, while every byte still reads in order and offsets keep their meaning.
 */
class FollowedFileTest {
  private static final int STEP = 1 << 20;

  @TempDir Path dir;

  @Test
  void whatWasReadGivesItsDiskSpaceBackAndNothingIsLost() throws Exception {
    Path output = dir.resolve("stdout");
    byte[] chunk = new byte[64 * 1024];
    Arrays.fill(chunk, (byte) 'x');
    long written = 0;
    try (OutputStream append =
            Files.newOutputStream(output, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        FollowedFile follow = new FollowedFile(output, 0, STEP)) {
      byte[] buffer = new byte[8192];
      long read = 0;
      for (int round = 0; round < 64; round++) { // 4 MiB in all, written while being read
        append.write(chunk);
        append.flush();
        written += chunk.length;
        while (read < written) {
          int n = follow.read(buffer, 0, buffer.length);
          assertThat(n).isPositive();
          for (int i = 0; i < n; i++) {
            assertThat(buffer[i]).isEqualTo((byte) 'x');
          }
          read += n;
        }
      }
      assertThat(follow.offset()).isEqualTo(written);
    }
    assertThat(Files.size(output)).as("the length stays, so offsets stay valid").isEqualTo(written);
    Process du = new ProcessBuilder("du", "--block-size=1", output.toString()).start();
    long onDisk = Long.parseLong(new String(du.getInputStream().readAllBytes()).split("\\s+")[0]);
    assertThat(du.waitFor()).isZero();
    assertThat(onDisk)
        .as("bytes on disk of a %d-byte file read to its end", written)
        .isLessThanOrEqualTo(STEP + 64 * 1024);
  }
}
