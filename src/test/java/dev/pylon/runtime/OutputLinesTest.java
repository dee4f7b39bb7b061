package dev.pylon.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutputLinesTest {
  private static List<String> lines(String text, int max) throws Exception {
    List<String> out = new ArrayList<>();
    OutputLines.forEach(
        new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), max, out::add);
    return out;
  }

  @Test
  void splitsOnLfAndCrLfAndKeepsAnUnterminatedLastLine() throws Exception {
    assertThat(lines("a\r\nb\n\nc", 100)).containsExactly("a", "b", "", "c");
  }

  @Test
  void cutsLinesLongerThanTheLimit() throws Exception {
    assertThat(lines("abcdefgh\nxy", 3)).containsExactly("abc", "def", "gh", "xy");
  }

  @Test
  void decodesUtf8() throws Exception {
    assertThat(lines("caf\u00e9 \u2713\n", 100)).containsExactly("caf\u00e9 \u2713");
  }
}
