package dev.pylon.spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A request for a Python version, as one file or flag wrote it: a version prefix ({@code 3.11},
 * {@code 3.11.2}), a PEP 440 specifier set ({@code >=3.10,<3.13}), or a path to an interpreter.
 *
 * @param text as written
 * @param origin where it was written
 * @param path set when the request names an interpreter file
 * @param clauses the version conditions; all must hold
 */
record PythonRequest(String text, Origin origin, Optional<Path> path, List<Clause> clauses) {

  /** One condition such as {@code >=3.10} or {@code ==3.11.*}. */
  record Clause(String operator, PythonVersion version, boolean wildcard) {
    boolean matches(PythonVersion v) {
      int c = v.compareTo(version);
      return switch (operator) {
        case "prefix" -> v.startsWith(version);
        case "==" -> wildcard ? v.startsWith(version) : c == 0;
        case "!=" -> wildcard ? !v.startsWith(version) : c != 0;
        case ">=" -> c >= 0;
        case "<=" -> c <= 0;
        case ">" -> c > 0;
        case "<" -> c < 0;
        case "~=" -> c >= 0 && v.startsWith(compatiblePrefix());
        default -> false;
      };
    }

    private PythonVersion compatiblePrefix() {
      List<Integer> p = version.parts();
      return new PythonVersion(p.size() > 1 ? p.subList(0, p.size() - 1) : p);
    }
  }

  /** {@code 3.11} means "some 3.11 release"; a path means that file. Empty if unreadable. */
  static Optional<PythonRequest> versionOrPath(String text, Origin origin) {
    String t = text.strip();
    if (t.contains("/")) {
      return Optional.of(new PythonRequest(t, origin, Optional.of(Path.of(t)), List.of()));
    }
    return PythonVersion.parse(t)
        .filter(v -> t.matches("\\d+(\\.\\d+)*"))
        .map(
            v ->
                new PythonRequest(
                    t, origin, Optional.empty(), List.of(new Clause("prefix", v, false))));
  }

  /** A PEP 440 specifier set such as {@code >=3.10,<3.13}. Empty if unreadable. */
  static Optional<PythonRequest> specifier(String text, Origin origin) {
    List<Clause> clauses = new ArrayList<>();
    for (String raw : text.split(",")) {
      String c = raw.strip();
      if (c.isEmpty()) {
        continue;
      }
      String op = null;
      for (String candidate : List.of("~=", "==", "!=", ">=", "<=", ">", "<")) {
        if (c.startsWith(candidate)) {
          op = candidate;
          break;
        }
      }
      String rest = op == null ? c : c.substring(op.length()).strip();
      boolean wildcard = rest.endsWith(".*");
      if (wildcard) {
        rest = rest.substring(0, rest.length() - 2);
      }
      if (!rest.matches("\\d+(\\.\\d+)*")) {
        return Optional.empty();
      }
      PythonVersion v = PythonVersion.parse(rest).orElseThrow();
      clauses.add(new Clause(op == null ? "prefix" : op, v, wildcard));
    }
    if (clauses.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new PythonRequest(text.strip(), origin, Optional.empty(), clauses));
  }

  /** A version prefix or a specifier set, as {@code pylon python install} takes it. */
  static Optional<PythonRequest> versionOrSpecifier(String text, Origin origin) {
    return versionOrPath(text, origin)
        .filter(r -> r.path().isEmpty())
        .or(() -> text.contains("/") ? Optional.empty() : specifier(text, origin));
  }

  /**
   * For a request of one exact patch release ({@code 3.10.2}, {@code ==3.10.2}): any release of its
   * line ({@code 3.10}). Buildpacks take an installed patch of the same line the same way.
   */
  Optional<PythonRequest> patchRelaxed() {
    if (clauses.size() != 1) {
      return Optional.empty();
    }
    Clause c = clauses.get(0);
    boolean exact = c.operator().equals("prefix") || (c.operator().equals("==") && !c.wildcard());
    if (!exact || c.version().parts().size() < 3) {
      return Optional.empty();
    }
    PythonVersion line = new PythonVersion(c.version().parts().subList(0, 2));
    return Optional.of(
        new PythonRequest(
            line.toString(), origin, Optional.empty(), List.of(new Clause("prefix", line, false))));
  }

  boolean matches(PythonVersion v) {
    return clauses.stream().allMatch(c -> c.matches(v));
  }

  /** The version to suggest installing, when the request names one. */
  Optional<String> installableVersion() {
    return clauses.stream()
        .filter(
            c ->
                c.operator().equals("prefix")
                    || c.operator().equals("==")
                    || c.operator().equals(">=")
                    || c.operator().equals("~="))
        .map(c -> c.version().toString())
        .findFirst();
  }
}
