package dev.pylon.spec;

import java.nio.file.Path;
import java.util.List;

/** The lines of a text file, to quote in problems. */
record SourceText(Path file, String text, List<String> lines) {

  static SourceText of(Path file, String text) {
    String t = text.startsWith("\uFEFF") ? text.substring(1) : text; // editors on Windows add a BOM
    return new SourceText(file, t, t.lines().toList());
  }

  /** The origin of a 1-based line and column. */
  Origin at(int line, int column) {
    String quoted = line >= 1 && line <= lines.size() ? lines.get(line - 1) : "";
    return new Origin(file, line, column, quoted);
  }

  Origin whole() {
    return Origin.ofFile(file);
  }
}
