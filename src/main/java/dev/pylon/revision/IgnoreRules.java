package dev.pylon.revision;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which files of an app folder go into a revision snapshot.
 *
 * <h2>The rule</h2>
 *
 * Exactly one ignore file applies, the first that exists at the top of the app folder:
 *
 * <ol>
 *   <li>{@code .gcloudignore}: what {@code gcloud run deploy --source} honours, so it wins;
 *       gitignore syntax, and a {@code #!include:FILE} line pulls in another file (usually {@code
 *       .gitignore}) as gcloud does;
 *   <li>{@code .dockerignore}: Docker's syntax, patterns anchored at the folder's top ({@code
 *       *.log} matches only there, {@code **}{@code /*.log} anywhere), a pattern that matches a
 *       folder excludes all of it, {@code !} re-includes;
 *   <li>{@code .gitignore}: git's syntax; only the top-level file is read (nested ones are not).
 * </ol>
 *
 * Whatever the file says, these never go in: {@code .git/}, {@code __pycache__/} and {@code *.pyc}
 * (the build compiles its own bytecode), and any folder holding a {@code pyvenv.cfg} (a local
 * virtualenv: Pylon builds its own). With no ignore file, everything else goes in.
 */
public final class IgnoreRules {
  /** The ignore files, in order of preference. */
  public static final List<String> PREFERENCE =
      List.of(".gcloudignore", ".dockerignore", ".gitignore");

  private enum Syntax {
    GIT,
    DOCKER
  }

  private record Rule(Pattern regex, boolean negated, boolean dirOnly) {}

  private final Optional<String> source;
  private final Syntax syntax;
  private final List<Rule> rules;

  private IgnoreRules(Optional<String> source, Syntax syntax, List<Rule> rules) {
    this.source = source;
    this.syntax = syntax;
    this.rules = List.copyOf(rules);
  }

  /** The rules of {@code appDir}: from its preferred ignore file, or none. */
  public static IgnoreRules of(Path appDir) throws IOException {
    for (String name : PREFERENCE) {
      Path file = appDir.resolve(name);
      if (Files.isRegularFile(file)) {
        Syntax syntax = name.equals(".dockerignore") ? Syntax.DOCKER : Syntax.GIT;
        List<String> lines = new ArrayList<>();
        readWithIncludes(appDir, file, lines, 0);
        return parse(Optional.of(name), syntax, lines);
      }
    }
    return new IgnoreRules(Optional.empty(), Syntax.GIT, List.of());
  }

  /** Rules in gitignore syntax, for tests and callers with rules of their own. */
  static IgnoreRules gitStyle(List<String> lines) {
    return parse(Optional.empty(), Syntax.GIT, lines);
  }

  /** Rules in dockerignore syntax. */
  static IgnoreRules dockerStyle(List<String> lines) {
    return parse(Optional.empty(), Syntax.DOCKER, lines);
  }

  /** The ignore file the rules came from, if any. */
  public Optional<String> source() {
    return source;
  }

  private static void readWithIncludes(Path appDir, Path file, List<String> into, int depth)
      throws IOException {
    for (String line : Files.readAllLines(file)) {
      if (line.startsWith("#!include:") && depth < 4) {
        Path included = appDir.resolve(line.substring("#!include:".length()).trim());
        if (Files.isRegularFile(included)) {
          readWithIncludes(appDir, included, into, depth + 1);
        }
      } else {
        into.add(line);
      }
    }
  }

  private static IgnoreRules parse(Optional<String> source, Syntax syntax, List<String> lines) {
    List<Rule> rules = new ArrayList<>();
    for (String raw : lines) {
      String line = syntax == Syntax.DOCKER ? raw.trim() : stripTrailingSpaces(raw);
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      boolean negated = line.startsWith("!");
      if (negated) {
        line = line.substring(1);
      }
      if (line.startsWith("\\#") || line.startsWith("\\!")) {
        line = line.substring(1);
      }
      Rule rule = syntax == Syntax.DOCKER ? dockerRule(line, negated) : gitRule(line, negated);
      if (rule != null) {
        rules.add(rule);
      }
    }
    return new IgnoreRules(source, syntax, rules);
  }

  private static String stripTrailingSpaces(String line) {
    int end = line.length();
    while (end > 0 && line.charAt(end - 1) == ' ' && (end < 2 || line.charAt(end - 2) != '\\')) {
      end--;
    }
    return line.substring(0, end);
  }

  private static Rule gitRule(String pattern, boolean negated) {
    boolean dirOnly = pattern.endsWith("/");
    if (dirOnly) {
      pattern = pattern.substring(0, pattern.length() - 1);
    }
    boolean anchored = pattern.contains("/");
    if (pattern.startsWith("/")) {
      pattern = pattern.substring(1);
    }
    if (pattern.isEmpty()) {
      return null;
    }
    String regex = (anchored ? "" : "(?:.*/)?") + globToRegex(pattern);
    return new Rule(Pattern.compile(regex), negated, dirOnly);
  }

  private static Rule dockerRule(String pattern, boolean negated) {
    pattern = Path.of("/" + pattern).normalize().toString().substring(1);
    while (pattern.endsWith("/")) {
      pattern = pattern.substring(0, pattern.length() - 1);
    }
    if (pattern.isEmpty()) {
      return null;
    }
    return new Rule(Pattern.compile(globToRegex(pattern)), negated, false);
  }

  /** A glob over '/'-separated paths: {@code **} spans folders, {@code *} and {@code ?} do not. */
  static String globToRegex(String glob) {
    StringBuilder regex = new StringBuilder();
    int i = 0;
    while (i < glob.length()) {
      char c = glob.charAt(i);
      if (glob.startsWith("**/", i)) {
        regex.append("(?:.*/)?");
        i += 3;
      } else if (glob.startsWith("/**", i) && i + 3 == glob.length()) {
        regex.append("/.*");
        i += 3;
      } else if (glob.startsWith("**", i)) {
        regex.append(".*");
        i += 2;
      } else if (c == '*') {
        regex.append("[^/]*");
        i++;
      } else if (c == '?') {
        regex.append("[^/]");
        i++;
      } else if (c == '[') {
        int close = glob.indexOf(']', i + 2);
        if (close < 0) {
          regex.append("\\[");
          i++;
        } else {
          String body = glob.substring(i + 1, close);
          if (body.startsWith("!")) {
            body = "^" + body.substring(1);
          }
          regex.append('[').append(body.replace("\\", "\\\\")).append(']');
          i = close + 1;
        }
      } else if (c == '\\' && i + 1 < glob.length()) {
        regex.append(Pattern.quote(String.valueOf(glob.charAt(i + 1))));
        i += 2;
      } else {
        regex.append(Pattern.quote(String.valueOf(c)));
        i++;
      }
    }
    return regex.toString();
  }

  /**
   * Whether {@code relativePath} ('/'-separated, relative to the app folder) is left out. The
   * caller walks top-down and does not descend into a left-out folder unless {@link
   * #mayReincludeUnder} says a rule could bring something under it back.
   */
  public boolean excludes(String relativePath, boolean isDirectory) {
    if (alwaysExcluded(relativePath, isDirectory)) {
      return true;
    }
    boolean excluded = false;
    for (Rule rule : rules) {
      if (rule.dirOnly() && !isDirectory) {
        continue;
      }
      if (matches(rule, relativePath)) {
        excluded = !rule.negated();
      }
    }
    return excluded;
  }

  private boolean matches(Rule rule, String relativePath) {
    if (rule.regex().matcher(relativePath).matches()) {
      return true;
    }
    if (syntax == Syntax.DOCKER) {
      // Docker: a pattern that matches a parent folder excludes what is inside it.
      for (int slash = relativePath.indexOf('/');
          slash > 0;
          slash = relativePath.indexOf('/', slash + 1)) {
        if (rule.regex().matcher(relativePath.substring(0, slash)).matches()) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Whether a left-out folder must still be walked: Docker re-includes files under an excluded
   * folder with {@code !} rules; git never does (an excluded folder is final).
   */
  public boolean mayReincludeUnder(String relativeDir) {
    if (syntax != Syntax.DOCKER || alwaysExcluded(relativeDir, true)) {
      return false;
    }
    return rules.stream().anyMatch(Rule::negated);
  }

  private static boolean alwaysExcluded(String relativePath, boolean isDirectory) {
    String name = relativePath.substring(relativePath.lastIndexOf('/') + 1);
    if (isDirectory) {
      return name.equals(".git") || name.equals("__pycache__");
    }
    return name.endsWith(".pyc");
  }
}
