package dev.pylon.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** A Dockerfile's syntax: instructions over continuation lines, and the JSON exec form. */
final class DockerfileSyntax {
  private static final ObjectMapper JSON = new ObjectMapper();

  private DockerfileSyntax() {}

  /** One instruction, continuation lines joined; {@code origin} is its first line. */
  record Instruction(String keyword, String args, Origin origin) {}

  /** The instructions of a Dockerfile, continuation lines joined, comments dropped. */
  static List<Instruction> instructions(SourceText source) {
    List<Instruction> out = new ArrayList<>();
    List<String> lines = source.lines();
    for (int i = 0; i < lines.size(); i++) {
      String first = lines.get(i);
      String stripped = first.strip();
      if (stripped.isEmpty() || stripped.startsWith("#")) {
        continue;
      }
      int lineNo = i + 1;
      StringBuilder logical = new StringBuilder();
      String current = first;
      while (true) {
        String trimmed = current.stripTrailing();
        if (trimmed.endsWith("\\") && i + 1 < lines.size()) {
          logical.append(trimmed, 0, trimmed.length() - 1).append(' ');
          // Docker skips comment and empty lines inside a continued instruction.
          do {
            current = lines.get(++i);
          } while ((current.strip().startsWith("#") || current.isBlank()) && i + 1 < lines.size());
        } else {
          logical.append(trimmed);
          break;
        }
      }
      String text = logical.toString().strip();
      int space = text.indexOf(' ');
      String keyword = (space < 0 ? text : text.substring(0, space)).toUpperCase(Locale.ROOT);
      String rest = space < 0 ? "" : text.substring(space + 1).strip();
      out.add(new Instruction(keyword, rest, source.at(lineNo, first.indexOf(stripped) + 1)));
    }
    return out;
  }

  /** The words of a JSON exec form {@code ["a", "b"]}, or empty for the shell form. */
  static Optional<List<String>> execForm(String args) {
    String t = args.strip();
    if (!t.startsWith("[")) {
      return Optional.empty();
    }
    try {
      JsonNode node = JSON.readTree(t);
      if (!node.isArray()) {
        return Optional.empty();
      }
      List<String> words = new ArrayList<>();
      for (JsonNode w : node) {
        if (!w.isTextual()) {
          return Optional.empty();
        }
        words.add(w.asText());
      }
      return Optional.of(words);
    } catch (JsonProcessingException e) {
      return Optional.empty(); // Docker runs a malformed JSON array as a shell command too
    }
  }

  static String unquote(String s) {
    if (s.length() >= 2
        && (s.startsWith("\"") && s.endsWith("\"") || s.startsWith("'") && s.endsWith("'"))) {
      return s.substring(1, s.length() - 1);
    }
    return s;
  }
}
