package dev.pylon.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Python release number such as {@code 3.11.2} (pre-release suffixes are dropped), compared part
 * by part.
 */
public record PythonVersion(List<Integer> parts) implements Comparable<PythonVersion> {
  private static final Pattern LEADING = Pattern.compile("^(\\d+(?:\\.\\d+)*)");

  public PythonVersion {
    parts = List.copyOf(parts);
  }

  /** Parses {@code 3}, {@code 3.11}, {@code 3.11.2}, {@code 3.13.0rc1}. */
  public static Optional<PythonVersion> parse(String text) {
    Matcher m = LEADING.matcher(text.strip());
    if (!m.find()) {
      return Optional.empty();
    }
    List<Integer> parts = new ArrayList<>();
    for (String p : m.group(1).split("\\.")) {
      try {
        parts.add(Integer.parseInt(p));
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
    }
    return Optional.of(new PythonVersion(parts));
  }

  public int major() {
    return parts.get(0);
  }

  public int minor() {
    return parts.size() > 1 ? parts.get(1) : 0;
  }

  /** Whether this version is {@code prefix} or a release of it ({@code 3.11.2} starts 3.11). */
  public boolean startsWith(PythonVersion prefix) {
    return prefix.parts.size() <= parts.size()
        && parts.subList(0, prefix.parts.size()).equals(prefix.parts);
  }

  @Override
  public int compareTo(PythonVersion other) {
    int n = Math.max(parts.size(), other.parts.size());
    for (int i = 0; i < n; i++) {
      int a = i < parts.size() ? parts.get(i) : 0;
      int b = i < other.parts.size() ? other.parts.get(i) : 0;
      if (a != b) {
        return Integer.compare(a, b);
      }
    }
    return 0;
  }

  @Override
  public String toString() {
    return String.join(".", parts.stream().map(String::valueOf).toList());
  }
}
