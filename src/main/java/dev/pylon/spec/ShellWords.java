package dev.pylon.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Splits a shell command into words and joins words back into one, as {@code sh} reads them. */
final class ShellWords {
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");

  private ShellWords() {}

  /** The words, quotes removed; a backslash keeps the next character. No expansion. */
  static List<String> split(String command) {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean inWord = false;
    char quote = 0;
    for (int i = 0; i < command.length(); i++) {
      char c = command.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else if (c == '\\' && quote == '"' && i + 1 < command.length()) {
          word.append(command.charAt(++i));
        } else {
          word.append(c);
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
        inWord = true;
      } else if (c == '\\' && i + 1 < command.length()) {
        word.append(command.charAt(++i));
        inWord = true;
      } else if (Character.isWhitespace(c)) {
        if (inWord) {
          words.add(word.toString());
          word.setLength(0);
          inWord = false;
        }
      } else {
        word.append(c);
        inWord = true;
      }
    }
    if (inWord) {
      words.add(word.toString());
    }
    return words;
  }

  /**
   * One command line for {@code sh -c}; a word with a {@code $} keeps it expandable (Docker's exec
   * form would not expand it, Cloud Run's PORT then reaching the program only through the
   * environment, which servers that read PORT use anyway).
   */
  static String join(List<String> words) {
    List<String> out = new ArrayList<>();
    for (String w : words) {
      if (!w.isEmpty() && PLAIN.matcher(w).matches()) {
        out.add(w);
      } else if (w.contains("$")) {
        out.add("\"" + w.replace("\\", "\\\\").replace("\"", "\\\"").replace("`", "\\`") + "\"");
      } else {
        out.add("'" + w.replace("'", "'\\''") + "'");
      }
    }
    return String.join(" ", out);
  }
}
