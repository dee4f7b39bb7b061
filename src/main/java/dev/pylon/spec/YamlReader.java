package dev.pylon.spec;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses YAML into {@link YamlNode}s that keep their line and column, with Jackson's streaming
 * parser (its tree model forgets locations). Syntax errors and duplicate keys become problems.
 */
final class YamlReader {

  private static final Pattern MARK = Pattern.compile("line (\\d+), column (\\d+):");
  private final YAMLFactory factory = YAMLFactory.builder().build();

  /** The parse result: a root node, or the problems that stopped parsing. */
  record Parsed(YamlNode root, List<SpecProblem> errors) {}

  /** A YAML file whose top level is a mapping, with its text for locations. */
  record TopMapping(SourceText source, YamlNode.Mapping root) {}

  /**
   * Reads and parses {@code file}. Empty, with the reason added to {@code errors}, when the file
   * cannot be read, does not parse, or is not a mapping at the top.
   *
   * @param notMapping what the file must be, e.g. "app.yaml must be a mapping of keys"
   * @param hint how to fix a file that is not a mapping
   */
  Optional<TopMapping> readMapping(
      Path file, List<SpecProblem> errors, String notMapping, String hint) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      errors.add(SpecProblem.ofFile(file, "cannot read: " + e.getMessage(), ""));
      return Optional.empty();
    }
    SourceText source = SourceText.of(file, text);
    Parsed parsed = parse(source);
    errors.addAll(parsed.errors());
    if (parsed.root() == null) {
      return Optional.empty();
    }
    if (!(parsed.root() instanceof YamlNode.Mapping root)) {
      errors.add(
          parsed.root().origin().problem(notMapping + ", got " + parsed.root().describe(), hint));
      return Optional.empty();
    }
    return Optional.of(new TopMapping(source, root));
  }

  Parsed parse(SourceText source) {
    List<SpecProblem> errors = new ArrayList<>();
    try (JsonParser parser = factory.createParser(source.text())) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        return new Parsed(
            new YamlNode.Mapping(source.at(1, 1), Map.of()), List.of()); // an empty file
      }
      YamlNode root = read(parser, source, errors);
      return new Parsed(root, errors);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      int line = at == null ? 0 : Math.max(0, at.getLineNr());
      int column = at == null ? 0 : Math.max(0, at.getColumnNr());
      // The problem's own mark (the last one in the message) is more precise than the
      // parser's position, which can still be on the previous token.
      Matcher mark = MARK.matcher(e.getOriginalMessage() == null ? "" : e.getOriginalMessage());
      while (mark.find()) {
        line = Integer.parseInt(mark.group(1));
        column = Integer.parseInt(mark.group(2));
      }
      errors.add(
          source
              .at(line, column)
              .problem(
                  "YAML syntax error: " + explain(e.getOriginalMessage()),
                  "check the indentation (spaces, not tabs) and that every `key: value` has a"
                      + " space after the colon"));
      return new Parsed(null, errors);
    } catch (IOException e) {
      errors.add(source.whole().problem("cannot read: " + e.getMessage(), ""));
      return new Parsed(null, errors);
    }
  }

  private YamlNode read(JsonParser parser, SourceText source, List<SpecProblem> errors)
      throws IOException {
    Origin origin = originOf(parser.currentTokenLocation(), source);
    JsonToken token = parser.currentToken();
    switch (token) {
      case START_OBJECT -> {
        Map<String, YamlNode.Entry> entries = new LinkedHashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String key = parser.currentName();
          Origin keyOrigin = originOf(parser.currentTokenLocation(), source);
          parser.nextToken();
          YamlNode value = read(parser, source, errors);
          YamlNode.Entry previous = entries.get(key);
          if (previous != null) {
            errors.add(
                keyOrigin.problem(
                    "`"
                        + key
                        + "` is given twice (first at line "
                        + previous.keyOrigin().line()
                        + ")",
                    "keep one of them"));
          }
          entries.put(key, new YamlNode.Entry(key, keyOrigin, value));
        }
        return new YamlNode.Mapping(origin, entries);
      }
      case START_ARRAY -> {
        List<YamlNode> items = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          items.add(read(parser, source, errors));
        }
        return new YamlNode.Sequence(origin, items);
      }
      case VALUE_STRING -> {
        return new YamlNode.Scalar(origin, parser.getText(), YamlNode.Scalar.Type.STRING);
      }
      case VALUE_NUMBER_INT -> {
        return new YamlNode.Scalar(origin, parser.getText(), YamlNode.Scalar.Type.INTEGER);
      }
      case VALUE_NUMBER_FLOAT -> {
        return new YamlNode.Scalar(origin, parser.getText(), YamlNode.Scalar.Type.FLOAT);
      }
      case VALUE_TRUE, VALUE_FALSE -> {
        return new YamlNode.Scalar(
            origin, Boolean.toString(token == JsonToken.VALUE_TRUE), YamlNode.Scalar.Type.BOOLEAN);
      }
      case VALUE_NULL -> {
        return new YamlNode.Scalar(origin, "", YamlNode.Scalar.Type.NULL);
      }
      default -> {
        return new YamlNode.Scalar(origin, parser.getText(), YamlNode.Scalar.Type.STRING);
      }
    }
  }

  private static Origin originOf(JsonLocation location, SourceText source) {
    return source.at(Math.max(0, location.getLineNr()), Math.max(0, location.getColumnNr()));
  }

  /**
   * SnakeYAML's message names parser states; say what they mean for the user's file, keeping the
   * original when there is no plainer way to say it.
   */
  static String explain(String message) {
    if (message == null) {
      return "cannot parse";
    }
    // SnakeYAML writes: [context, "in 'reader', line L, column C:", source line, "^"],
    // problem, and again its mark. Skip contexts and marks; the first other line is the problem.
    List<String> lines = message.lines().map(String::strip).toList();
    String problem = firstLine(message);
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i);
      if (l.startsWith("in '")) {
        i += 2; // the quoted source line and the caret under it
        continue;
      }
      if (!l.isEmpty() && !l.startsWith("while ")) {
        problem = l;
        break;
      }
    }
    if (problem.startsWith("expected <block end>")) {
      return "this line is indented differently from the lines before it";
    }
    if (problem.startsWith("mapping values are not allowed here")) {
      return "a `:` where YAML expects none (quote a value that contains `: `)";
    }
    if (problem.contains("'\\t'") || message.contains("\\t(TAB)")) {
      return "a tab character; YAML indents with spaces";
    }
    return problem;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "cannot parse";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
