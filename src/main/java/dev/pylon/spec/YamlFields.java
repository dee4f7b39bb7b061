package dev.pylon.spec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * Typed reads of YAML values that add a located problem, naming the key, when the value has the
 * wrong type or range. Collects problems instead of stopping at the first.
 */
final class YamlFields {
  private final List<SpecProblem> errors;

  YamlFields(List<SpecProblem> errors) {
    this.errors = errors;
  }

  Optional<YamlNode.Mapping> mapping(YamlNode.Entry entry) {
    if (entry.value() instanceof YamlNode.Mapping m) {
      return Optional.of(m);
    }
    if (entry.value() instanceof YamlNode.Scalar s && s.type() == YamlNode.Scalar.Type.NULL) {
      return Optional.of(new YamlNode.Mapping(entry.keyOrigin(), Map.of()));
    }
    wrongType(entry, "a mapping of keys (indented lines below it)");
    return Optional.empty();
  }

  /** A non-empty string; numbers and booleans are taken as written. */
  Optional<String> string(YamlNode.Entry entry) {
    if (entry.value() instanceof YamlNode.Scalar s && s.type() != YamlNode.Scalar.Type.NULL) {
      if (s.text().isBlank()) {
        errors.add(
            entry.value().origin().problem("`" + entry.key() + "` is empty", "give it a value"));
        return Optional.empty();
      }
      return Optional.of(s.text());
    }
    wrongType(entry, "a text value");
    return Optional.empty();
  }

  /** A whole number from {@code min} to {@code max}. */
  OptionalInt integer(YamlNode.Entry entry, int min, int max) {
    OptionalInt v = integer(entry, min);
    if (v.isPresent() && v.getAsInt() > max) {
      errors.add(
          entry
              .value()
              .origin()
              .problem(
                  "`" + entry.key() + "` must be at most " + max + ", got " + v.getAsInt(),
                  "use a value from " + min + " to " + max));
      return OptionalInt.empty();
    }
    return v;
  }

  OptionalInt integer(YamlNode.Entry entry, int min) {
    if (entry.value() instanceof YamlNode.Scalar s
        && (s.type() == YamlNode.Scalar.Type.INTEGER
            || s.type() == YamlNode.Scalar.Type.STRING && s.text().strip().matches("-?\\d+"))) {
      int value;
      try {
        value = Integer.parseInt(s.text().strip());
      } catch (NumberFormatException e) {
        wrongType(entry, "a whole number");
        return OptionalInt.empty();
      }
      if (value < min) {
        errors.add(
            entry
                .value()
                .origin()
                .problem(
                    "`" + entry.key() + "` must be at least " + min + ", got " + value,
                    "use a value of " + min + " or more"));
        return OptionalInt.empty();
      }
      return OptionalInt.of(value);
    }
    wrongType(entry, "a whole number");
    return OptionalInt.empty();
  }

  OptionalDouble number(YamlNode.Entry entry, double min, double max) {
    if (entry.value() instanceof YamlNode.Scalar s
        && (s.type() == YamlNode.Scalar.Type.INTEGER
            || s.type() == YamlNode.Scalar.Type.FLOAT
            || s.type() == YamlNode.Scalar.Type.STRING
                && s.text().strip().matches("-?\\d+(\\.\\d+)?"))) {
      double value = Double.parseDouble(s.text().strip());
      if (value < min || value > max) {
        errors.add(
            entry
                .value()
                .origin()
                .problem(
                    "`"
                        + entry.key()
                        + "` must be between "
                        + plain(min)
                        + " and "
                        + plain(max)
                        + ", got "
                        + s.text(),
                    "use a value in that range"));
        return OptionalDouble.empty();
      }
      return OptionalDouble.of(value);
    }
    wrongType(entry, "a number");
    return OptionalDouble.empty();
  }

  Optional<Boolean> bool(YamlNode.Entry entry) {
    if (entry.value() instanceof YamlNode.Scalar s && s.type() == YamlNode.Scalar.Type.BOOLEAN) {
      return Optional.of(Boolean.parseBoolean(s.text()));
    }
    wrongType(entry, "true or false");
    return Optional.empty();
  }

  /** A mapping of names to scalar values, such as {@code env_variables}. */
  Map<String, String> stringMap(YamlNode.Entry entry) {
    Map<String, String> out = new LinkedHashMap<>();
    mapping(entry)
        .ifPresent(
            m -> {
              for (YamlNode.Entry e : m.entries().values()) {
                if (e.value() instanceof YamlNode.Scalar s) {
                  out.put(e.key(), s.text());
                } else {
                  wrongType(e, "a text value");
                }
              }
            });
    return out;
  }

  void wrongType(YamlNode.Entry entry, String expected) {
    errors.add(
        entry
            .value()
            .origin()
            .problem(
                "`" + entry.key() + "` must be " + expected + ", got " + entry.value().describe(),
                "see the key's reference for its type"));
  }

  static String plain(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }
}
