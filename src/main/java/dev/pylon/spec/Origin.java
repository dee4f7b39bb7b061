package dev.pylon.spec;

import java.nio.file.Path;

/**
 * Where a value came from: a place in a file, or a flag. Makes problems that point at it.
 *
 * @param file the file (as the user named it), or a pseudo path such as {@code --python}
 * @param line 1-based, 0 for the whole file
 * @param column 1-based, 0 when unknown
 * @param sourceLine the text of that line, "" when unknown
 */
public record Origin(Path file, int line, int column, String sourceLine) {

  public static Origin ofFile(Path file) {
    return new Origin(file, 0, 0, "");
  }

  /** A command-line flag, named as the user typed it. */
  public static Origin ofFlag(String flag) {
    return new Origin(Path.of(flag), 0, 0, "");
  }

  public SpecProblem problem(String message, String hint) {
    return new SpecProblem(file, line, column, message, hint, sourceLine);
  }

  /** {@code app.yaml:4} or just the file name: for "decided by" notes. */
  public String describe() {
    Path name = file.getFileName() == null ? file : file.getFileName();
    return line > 0 ? name + ":" + line : name.toString();
  }
}
