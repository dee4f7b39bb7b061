package dev.pylon.spec;

import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How an entrypoint line runs under {@code /bin/sh -c}: the server must become the shell (exec), so
 * that it is the process Pylon supervises, it gets SIGTERM itself and drains, and the shell does
 * not end first and take it down with the rest of the group. A simple command gets {@code exec} in
 * front (after its variable assignments: {@code A=1 exec cmd} passes A on); a chain ({@code python
 * manage.py migrate && gunicorn app:app}, {@code ;}, {@code ||}, {@code &}, lines) runs as a script
 * whose last command is exec'd ({@code exec} before the whole line would replace the shell with the
 * first command and never run the rest). A line already using exec, or ending in a pipeline, a
 * background job or a compound command ({@code if}, {@code (...)}, {@code { ...; }}) runs as
 * written. Only {@code exec } is inserted: the rest of the line stays as the user wrote it. The one
 * rule for local instances ({@code control.InstancePlan}) and exported containers ({@code
 * export.ContainerCommand}), so both run a line the same way. Pure.
 */
public final class EntrypointShell {
  private static final Pattern ASSIGNMENT = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*=.*");
  private static final Set<String> KEYWORDS =
      Set.of(
          "if",
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
          "!",
          "exec",
          "function",
          "select");

  private EntrypointShell() {}

  /** The script {@code /bin/sh -c} runs for {@code line}. */
  public static String script(String line) {
    return execLast(line).orElse(stripTrailingSemicolons(line.strip()));
  }

  /**
   * {@code line} with {@code exec} before its last simple command (as written when that already is
   * {@code exec ...}); empty when the last part is no simple command (a pipeline, a background job,
   * a compound command, only assignments), where no single program can take the shell's place.
   */
  public static Optional<String> execLast(String line) {
    String trimmed = stripTrailingSemicolons(line.strip());
    int start = lastCommandStart(trimmed);
    if (start < 0) {
      return Optional.empty(); // a pipeline: there is no one command to become
    }
    int at = start;
    while (at < trimmed.length()) {
      at = skipBlanks(trimmed, at);
      int end = wordEnd(trimmed, at);
      if (end <= at) {
        return Optional.empty(); // nothing after a trailing &: a background job
      }
      String word = trimmed.substring(at, end);
      if (ASSIGNMENT.matcher(word).matches()) {
        at = end;
        continue;
      }
      if (word.equals("exec")) {
        return Optional.of(trimmed);
      }
      if (KEYWORDS.contains(word) || word.startsWith("(") || word.startsWith("#")) {
        return Optional.empty(); // a compound command
      }
      return Optional.of(trimmed.substring(0, at) + "exec " + trimmed.substring(at));
    }
    return Optional.empty(); // only assignments
  }

  /**
   * Where the last simple command begins: just after the last top-level {@code &&}, {@code ||},
   * {@code ;}, {@code &} or newline (0 without one); -1 when a pipe comes after it. The {@code &}
   * and {@code |} of a redirection ({@code 2>&1}, {@code <&3}, {@code >|}) separate nothing.
   */
  private static int lastCommandStart(String s) {
    int start = 0;
    int depth = 0;
    boolean wordStart = true;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\\' -> {
          i++;
          wordStart = false;
          continue;
        }
        case '\'' -> {
          i = closing(s, i, '\'');
          wordStart = false;
          continue;
        }
        case '"', '`' -> {
          i = closingEscaped(s, i, c);
          wordStart = false;
          continue;
        }
        case '#' -> {
          if (wordStart) {
            int newline = s.indexOf('\n', i);
            if (newline < 0) {
              return start;
            }
            i = newline - 1;
            continue;
          }
        }
        case '(' -> depth++;
        case ')' -> depth = Math.max(0, depth - 1);
        default -> {}
      }
      boolean redirection = i > 0 && (s.charAt(i - 1) == '>' || s.charAt(i - 1) == '<');
      if (depth == 0 && !redirection) {
        boolean pair = i + 1 < s.length() && s.charAt(i + 1) == c;
        if ((c == '&' || c == '|') && pair) {
          start = ++i + 1;
        } else if (c == ';' || c == '\n' || c == '&') {
          start = i + 1; // a single & sends a job to the background; what follows runs next
        } else if (c == '|') {
          return -1;
        }
      }
      wordStart = Character.isWhitespace(c) || c == ';' || c == '&' || c == '|' || c == '(';
    }
    return start;
  }

  private static int closing(String s, int open, char quote) {
    int close = s.indexOf(quote, open + 1);
    return close < 0 ? s.length() : close;
  }

  private static int closingEscaped(String s, int open, char quote) {
    for (int i = open + 1; i < s.length(); i++) {
      if (s.charAt(i) == '\\') {
        i++;
      } else if (s.charAt(i) == quote) {
        return i;
      }
    }
    return s.length();
  }

  private static int skipBlanks(String s, int at) {
    while (at < s.length() && Character.isWhitespace(s.charAt(at))) {
      at++;
    }
    return at;
  }

  /** The end of the shell word starting at {@code at} (quotes included). */
  private static int wordEnd(String s, int at) {
    int i = at;
    while (i < s.length() && !Character.isWhitespace(s.charAt(i))) {
      char c = s.charAt(i);
      if (c == '\\') {
        i += 2;
      } else if (c == '\'') {
        i = closing(s, i, '\'') + 1;
      } else if (c == '"' || c == '`') {
        i = closingEscaped(s, i, c) + 1;
      } else {
        i++;
      }
    }
    return Math.min(i, s.length());
  }

  private static String stripTrailingSemicolons(String s) {
    String out = s;
    while (out.endsWith(";") && !out.endsWith("\\;") && !out.endsWith(";;")) {
      out = out.substring(0, out.length() - 1).stripTrailing();
    }
    return out;
  }
}
