package dev.pylon.spec;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A YAML value that remembers where it was written, so problems can point at it. */
sealed interface YamlNode {

  Origin origin();

  /** What a person calls this kind of value, for "expected X, got Y" messages. */
  String describe();

  /** A mapping; keys keep file order. */
  record Mapping(Origin origin, Map<String, Entry> entries) implements YamlNode {
    public Mapping {
      entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }

    Optional<Entry> entry(String key) {
      return Optional.ofNullable(entries.get(key));
    }

    Optional<YamlNode> get(String key) {
      return entry(key).map(Entry::value);
    }

    @Override
    public String describe() {
      return "a mapping";
    }
  }

  /** One {@code key: value} of a mapping. */
  record Entry(String key, Origin keyOrigin, YamlNode value) {}

  /** A sequence. */
  record Sequence(Origin origin, List<YamlNode> items) implements YamlNode {
    public Sequence {
      items = List.copyOf(items);
    }

    @Override
    public String describe() {
      return "a list";
    }
  }

  /**
   * A scalar as written. {@code type} is what YAML made of it.
   *
   * @param text the text (for numbers, as written: {@code 3.10} stays {@code 3.10})
   */
  record Scalar(Origin origin, String text, Type type) implements YamlNode {
    /** What YAML made of a scalar. */
    enum Type {
      STRING,
      INTEGER,
      FLOAT,
      BOOLEAN,
      NULL
    }

    @Override
    public String describe() {
      return switch (type) {
        case STRING -> "the text \"" + text + "\"";
        case INTEGER -> "the whole number " + text;
        case FLOAT -> "the number " + text;
        case BOOLEAN -> text;
        case NULL -> "nothing";
      };
    }
  }
}
