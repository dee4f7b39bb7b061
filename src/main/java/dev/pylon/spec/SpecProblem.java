package dev.pylon.spec;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One error or warning about an app folder, pointing at the place that caused it.
 *
 * @param file the file at fault (as the user named the folder), or the folder itself
 * @param line 1-based line, or 0 when the problem concerns the whole file
 * @param column 1-based column, or 0 when unknown
 * @param message what is wrong, in one sentence
 * @param hint what to do about it ("" when there is nothing useful to add)
 * @param sourceLine the text of the offending line, quoted in {@link #render()} ("" if none)
 */
public record SpecProblem(
    Path file, int line, int column, String message, String hint, String sourceLine) {

  public SpecProblem {
    if (line < 0 || column < 0) {
      throw new IllegalArgumentException("line and column must be >= 0");
    }
    hint = hint == null ? "" : hint;
    sourceLine = sourceLine == null ? "" : sourceLine;
  }

  /** A problem about a whole file (or folder), with no line to point at. */
  public static SpecProblem ofFile(Path file, String message, String hint) {
    return new SpecProblem(file, 0, 0, message, hint, "");
  }

  /** The {@code file:line:column} prefix, shortened to what is known. */
  public String location() {
    if (line == 0) {
      return file.toString();
    }
    return column == 0 ? file + ":" + line : file + ":" + line + ":" + column;
  }

  /**
   * For a person: {@code file:line:col: message}, then the quoted line with a caret under the
   * column, then the hint.
   */
  public String render() {
    StringBuilder out = new StringBuilder(location()).append(": ").append(message);
    if (line > 0 && !sourceLine.isEmpty()) {
      String gutter = line + " | ";
      out.append("\n  ").append(gutter).append(sourceLine.stripTrailing());
      if (column > 0) {
        out.append("\n  ")
            .append(" ".repeat(gutter.length() - 2))
            .append("| ")
            .append(" ".repeat(column - 1))
            .append('^');
      }
    }
    if (!hint.isEmpty()) {
      out.append("\n  hint: ").append(hint);
    }
    return out.toString();
  }

  /** Problems grouped by file, in line order within each; files in the order first reported. */
  static List<SpecProblem> inFileOrder(List<SpecProblem> problems) {
    Map<Path, Integer> fileOrder = new LinkedHashMap<>();
    for (SpecProblem p : problems) {
      fileOrder.putIfAbsent(p.file(), fileOrder.size());
    }
    return problems.stream()
        .sorted(
            Comparator.comparing((SpecProblem p) -> fileOrder.get(p.file()))
                .thenComparingInt(SpecProblem::line)
                .thenComparingInt(SpecProblem::column))
        .toList();
  }
}
