package dev.pylon.export;

import java.util.ArrayList;
import java.util.List;

/** Comment paragraphs for generated files, wrapped so they read well in an editor. */
final class Comments {
  /** Columns a comment line may take, {@code # } included. */
  static final int WIDTH = 80;

  private Comments() {}

  /**
   * {@code paragraph} as {@code # } lines of at most {@link #WIDTH} columns (longer words stay).
   */
  static List<String> wrap(String paragraph) {
    List<String> lines = new ArrayList<>();
    if (paragraph.isBlank()) {
      lines.add("#");
      return lines;
    }
    StringBuilder line = new StringBuilder("#");
    for (String word : paragraph.strip().split("\\s+")) {
      if (line.length() > 1 && line.length() + 1 + word.length() > WIDTH) {
        lines.add(line.toString());
        line = new StringBuilder("#");
      }
      line.append(' ').append(word);
    }
    lines.add(line.toString());
    return lines;
  }
}
