package dev.pylon.cli;

import dev.pylon.export.ExportFiles;
import dev.pylon.export.ExportResult;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

/** Writes exported files and tells the user which were written and which kept. */
final class ExportWriting {
  private ExportWriting() {}

  static void write(Path dir, ExportResult result, boolean force, PrintStream out) {
    ExportFiles.Written written;
    try {
      written = ExportFiles.write(dir, result, force);
    } catch (IOException e) {
      throw new UserError("cannot write into " + dir + ": " + e.getMessage(), 1);
    }
    written.written().forEach(path -> out.println("pylon: wrote " + path));
    written
        .kept()
        .forEach(path -> out.println("pylon: kept " + path + " (it exists; --force replaces it)"));
    result.notes().forEach(note -> out.println("pylon: note: " + note));
  }
}
