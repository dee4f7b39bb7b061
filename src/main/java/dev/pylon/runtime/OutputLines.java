package dev.pylon.runtime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Splits a process's output stream into lines (UTF-8, malformed bytes replaced, CR LF or LF),
 * cutting a line that grows past {@code maxLineBytes} so a program that never writes a newline
 * cannot exhaust Pylon's memory.
 */
final class OutputLines {
  static final int MAX_LINE_BYTES = 16 * 1024;

  private OutputLines() {}

  /** Reads {@code in} to its end, giving each line to {@code sink}; returns at end of stream. */
  static void forEach(InputStream in, int maxLineBytes, Consumer<String> sink) throws IOException {
    byte[] buffer = new byte[8192];
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int n; (n = in.read(buffer)) != -1; ) {
      int start = 0;
      for (int i = 0; i < n; i++) {
        if (buffer[i] == '\n') {
          line.write(buffer, start, i - start);
          emit(line, sink);
          start = i + 1;
        } else if (line.size() + (i - start) >= maxLineBytes) {
          line.write(buffer, start, i - start);
          emit(line, sink);
          start = i;
        }
      }
      line.write(buffer, start, n - start);
    }
    if (line.size() > 0) {
      emit(line, sink);
    }
  }

  private static void emit(ByteArrayOutputStream line, Consumer<String> sink) {
    String text = line.toString(StandardCharsets.UTF_8);
    line.reset();
    if (text.endsWith("\r")) {
      text = text.substring(0, text.length() - 1);
    }
    sink.accept(text);
  }
}
