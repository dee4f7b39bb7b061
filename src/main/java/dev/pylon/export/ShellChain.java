package dev.pylon.export;

import java.util.Optional;

/**
 * Puts {@code exec} before the last command of a POSIX shell list ({@code a && b}, {@code a; b},
 * {@code a || b}), so that in a container the server, not the shell, is PID 1 and receives SIGTERM,
 * while the commands before it still run first. {@code exec} before the whole line would replace
 * the shell with the first command and never run the rest (issue 11, finding 1).
 */
final class ShellChain {
  private ShellChain() {}

  /**
   * {@code command} with {@code exec} before its last simple command (unchanged when it already has
   * one); empty when the last part is no simple command (a pipe, a background job, a subshell or
   * group, a compound command), where no single program can take the shell's place.
   */
  static Optional<String> execLast(String command) {
    String line = command.strip();
    int lastStart = 0;
    boolean complex = false;
    boolean single = false;
    boolean dbl = false;
    boolean backtick = false;
    int depth = 0;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      char next = i + 1 < line.length() ? line.charAt(i + 1) : '\0';
      if (single) {
        single = c != '\'';
      } else if (c == '\\') {
        i++;
      } else if (c == '\'' && !dbl) {
        single = true;
      } else if (c == '"') {
        dbl = !dbl;
      } else if (c == '`') {
        backtick = !backtick;
      } else if (c == '$' && next == '(') {
        depth++; // $( ... ): a substitution inside a word, not a subshell the command runs in
        i++;
      } else if (dbl || backtick) {
        continue;
      } else if (c == ')') {
        depth = Math.max(0, depth - 1);
      } else if (depth > 0) {
        continue;
      } else if ((c == '&' || c == '|') && next == c) {
        lastStart = i + 2;
        complex = false;
        i++;
      } else if (c == ';' || c == '\n' || c == '&') {
        lastStart = i + 1; // a single & ends a background job; what follows runs next
        complex = false;
      } else if (c == '|' || c == '(') {
        complex = true; // a pipe or a subshell
        if (c == '(') {
          depth++;
        }
      }
    }
    String last = line.substring(lastStart).strip();
    if (complex || last.isEmpty()) {
      return Optional.empty();
    }
    String firstWord = last.split("\\s+", 2)[0];
    if (firstWord.equals("exec")) {
      return Optional.of(line);
    }
    if (isKeyword(firstWord)) {
      return Optional.empty();
    }
    String head = line.substring(0, lastStart);
    String gap = head.isEmpty() || head.endsWith(" ") ? "" : " ";
    return Optional.of(head + gap + "exec " + last);
  }

  private static boolean isKeyword(String word) {
    return switch (word) {
      case "if",
          "then",
          "else",
          "elif",
          "fi",
          "for",
          "while",
          "until",
          "do",
          "done",
          "case",
          "esac",
          "{",
          "}",
          "!" ->
          true;
      default -> false;
    };
  }
}
