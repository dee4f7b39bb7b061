package dev.pylon.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the Python-shaped subset of a Dockerfile, the one Cloud Run builds when a folder has one:
 * {@code FROM python:X} picks the interpreter, {@code ENV} sets variables, {@code RUN pip install
 * -r FILE} names the dependency files, {@code CMD}/{@code ENTRYPOINT} the entrypoint. Every other
 * step is one Pylon serves the app without, and says so. Nothing here is ever an error: a
 * Dockerfile Pylon cannot follow is ignored with a warning, and the folder is served as it would be
 * without it.
 */
final class DockerfileReader {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern PYTHON_IMAGE =
      Pattern.compile(
          "^(?:(?:docker\\.io|index\\.docker\\.io)/)?(?:library/)?python(?::([^@]*))?(?:@.*)?$");
  private static final Pattern VERSION = Pattern.compile("^(\\d+(?:\\.\\d+){0,2})(?:$|[-.])");
  private static final Pattern VARIABLE =
      Pattern.compile(
          "\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\\}|\\$([A-Za-z_][A-Za-z0-9_]*)");
  private static final Set<String> SILENT =
      Set.of(
          "EXPOSE", "LABEL", "MAINTAINER", "USER", "STOPSIGNAL", "HEALTHCHECK", "ARG", "WORKDIR");

  /** Packaging tools a Dockerfile upgrades before installing; the virtualenv has its own. */
  private static final Set<String> PACKAGING = Set.of("pip", "setuptools", "wheel");

  /** The variables the platform sets; a Dockerfile's value never reaches the app on Cloud Run. */
  private static final Set<String> PLATFORM_ENV = Set.of("PORT");

  /** Whether a Debian package is installed here: the real check asks dpkg-query. */
  private final Predicate<String> installedHere;

  DockerfileReader() {
    this(DockerfileReader::dpkgInstalled);
  }

  DockerfileReader(Predicate<String> installedHere) {
    this.installedHere = installedHere;
  }

  /**
   * What Pylon takes from a Dockerfile.
   *
   * @param followed false when the Dockerfile is ignored as a whole (not a Python image; then only
   *     the warning saying so is set)
   * @param python the interpreter {@code FROM python:X} asks for
   * @param entrypoint {@code ENTRYPOINT} and {@code CMD}, as one shell command
   * @param env {@code ENV} of the final stage, in order
   * @param requirementFiles the files {@code RUN pip install -r} installs, relative to the folder
   */
  record Dockerfile(
      Path file,
      boolean followed,
      Optional<PythonRequest> python,
      Optional<Located<String>> entrypoint,
      Map<String, String> env,
      List<Located<Path>> requirementFiles,
      List<SpecProblem> warnings) {}

  /** One instruction, continuation lines joined. */
  private record Instruction(String keyword, String args, Origin origin) {}

  /**
   * Empty for a Dockerfile Pylon itself wrote from this folder ({@code pylon build --dockerfile}).
   */
  Optional<Dockerfile> read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return Optional.of(
          ignored(file, Origin.ofFile(file), "cannot be read (" + e.getMessage() + ")"));
    }
    if (text.lines().findFirst().orElse("").contains("written by Pylon")) {
      return Optional.empty(); // derived from this very spec: reading it back adds nothing
    }
    return Optional.of(new Reading(file, SourceText.of(file, text)).read());
  }

  private static Dockerfile ignored(Path file, Origin at, String why) {
    return new Dockerfile(
        file,
        false,
        Optional.empty(),
        Optional.empty(),
        Map.of(),
        List.of(),
        List.of(
            at.problem(
                "Pylon ignores this Dockerfile: it " + why,
                "Pylon serves the folder as it would without a Dockerfile (app.yaml, Procfile or"
                    + " the app it finds); `pylon inspect` shows what it chose")));
  }

  private final class Reading {
    final Path file;
    final SourceText source;
    final Path dir;
    final List<SpecProblem> warnings = new ArrayList<>();
    final Map<String, String> args = new LinkedHashMap<>();
    final Map<String, String> env = new LinkedHashMap<>();
    final List<Located<Path>> requirementFiles = new ArrayList<>();
    final Map<String, String> copiedFiles = new LinkedHashMap<>();
    Optional<PythonRequest> python = Optional.empty();
    Optional<List<String>> entrypointExec = Optional.empty();
    Optional<Located<String>> entrypointShell = Optional.empty();
    Optional<List<String>> cmdExec = Optional.empty();
    Optional<Located<String>> cmdShell = Optional.empty();
    Origin entrypointAt;
    Origin cmdAt;
    String workdir = "/";

    Reading(Path file, SourceText source) {
      this.file = file;
      this.source = source;
      this.dir = file.toAbsolutePath().getParent();
    }

    Dockerfile read() {
      List<Instruction> instructions = instructions();
      int lastFrom = -1;
      for (int i = 0; i < instructions.size(); i++) {
        if (instructions.get(i).keyword().equals("FROM")) {
          lastFrom = i;
        }
      }
      if (lastFrom < 0) {
        return ignored(file, source.whole(), "has no FROM line");
      }
      Instruction from = instructions.get(lastFrom);
      for (Instruction before : instructions.subList(0, lastFrom)) {
        if (before.keyword().equals("ARG")) {
          arg(before.args());
        }
      }
      String image = fromImage(from.args());
      Matcher python = PYTHON_IMAGE.matcher(image);
      if (!python.matches()) {
        return ignored(
            file,
            from.origin(),
            "builds on `"
                + image
                + "`, not on the official python image, so Pylon cannot tell what the image"
                + " brings");
      }
      String tag = python.group(1) == null ? "" : python.group(1);
      Matcher version = VERSION.matcher(tag);
      if (version.find()) {
        this.python = PythonRequest.versionOrPath(version.group(1), from.origin());
      }
      if (tag.contains("alpine")) {
        warnings.add(
            from.origin()
                .problem(
                    "`"
                        + image
                        + "` is Alpine (musl); Pylon runs the app on this machine's C library",
                    "wheels built for musl are not used here; pip picks this machine's"));
      }
      // Earlier stages build things the final stage copies; their pip installs still tell what
      // the app depends on, the rest of them is the builder's business.
      for (Instruction earlier : instructions.subList(0, lastFrom)) {
        if (earlier.keyword().equals("RUN")) {
          run(earlier, true);
        }
      }
      for (Instruction in : instructions.subList(lastFrom + 1, instructions.size())) {
        instruction(in);
      }
      return new Dockerfile(
          file, true, this.python, entrypoint(), env, requirementFiles, List.copyOf(warnings));
    }

    List<Instruction> instructions() {
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
            } while ((current.strip().startsWith("#") || current.isBlank())
                && i + 1 < lines.size());
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

    void instruction(Instruction in) {
      switch (in.keyword()) {
        case "ENV" -> env(in);
        case "WORKDIR" -> workdir = resolveDir(substitute(in.args()));
        case "ARG" -> arg(in.args());
        case "COPY", "ADD" -> copy(in);
        case "RUN" -> run(in, false);
        case "CMD" -> {
          cmdAt = in.origin();
          cmdExec = execForm(in.args());
          cmdShell =
              cmdExec.isPresent()
                  ? Optional.empty()
                  : Optional.of(new Located<>(in.args(), in.origin()));
        }
        case "ENTRYPOINT" -> {
          entrypointAt = in.origin();
          entrypointExec = execForm(in.args());
          entrypointShell =
              entrypointExec.isPresent()
                  ? Optional.empty()
                  : Optional.of(new Located<>(in.args(), in.origin()));
        }
        default -> {
          if (!SILENT.contains(in.keyword())) {
            warnings.add(
                in.origin()
                    .problem(
                        "Pylon serves the app without this step: `"
                            + in.keyword()
                            + " "
                            + in.args()
                            + "` has no counterpart on one machine",
                        ""));
          }
        }
      }
    }

    void arg(String text) {
      int eq = text.indexOf('=');
      if (eq > 0) {
        args.put(text.substring(0, eq).strip(), unquote(text.substring(eq + 1).strip()));
      } else if (!text.isBlank()) {
        args.putIfAbsent(text.strip(), "");
      }
    }

    String fromImage(String text) {
      for (String word : text.split("\\s+")) {
        if (!word.startsWith("--")) {
          return substitute(word);
        }
      }
      return "";
    }

    void env(Instruction in) {
      String text = in.args();
      List<String> words = ShellWords.split(text);
      Map<String, String> set = new LinkedHashMap<>();
      if (!words.isEmpty() && !words.get(0).contains("=")) {
        // The legacy form: ENV KEY value with spaces
        int space = text.indexOf(' ');
        if (space > 0) {
          set.put(text.substring(0, space), unquote(text.substring(space + 1).strip()));
        }
      } else {
        for (String word : words) {
          int eq = word.indexOf('=');
          if (eq > 0) {
            set.put(word.substring(0, eq), word.substring(eq + 1));
          }
        }
      }
      for (Map.Entry<String, String> e : set.entrySet()) {
        if (PLATFORM_ENV.contains(e.getKey())) {
          continue; // Cloud Run sets PORT whatever the image says; so does Pylon
        }
        if (ReservedEnv.isReserved(e.getKey())) {
          warnings.add(
              in.origin()
                  .problem(
                      "ENV "
                          + e.getKey()
                          + " is set by the platform, not the image; Pylon ignores it",
                      ""));
          continue;
        }
        env.put(e.getKey(), substitute(e.getValue()));
      }
    }

    void copy(Instruction in) {
      List<String> words = new ArrayList<>(ShellWords.split(in.args()));
      Optional<List<String>> json = execForm(in.args());
      if (json.isPresent()) {
        words = new ArrayList<>(json.get());
      }
      boolean fromStage = words.stream().anyMatch(w -> w.startsWith("--from"));
      words.removeIf(w -> w.startsWith("--"));
      if (fromStage || words.size() < 2) {
        return; // from another stage: what it copies was built by the Dockerfile, not the folder
      }
      String dest = words.get(words.size() - 1);
      for (String src : words.subList(0, words.size() - 1)) {
        if (src.contains("://")) {
          warnings.add(
              in.origin()
                  .problem(
                      "Pylon serves the app without this step: it does not download " + src,
                      "put the file in the app folder"));
          continue;
        }
        if (words.size() == 2 && !dest.endsWith("/") && Files.isRegularFile(dir.resolve(src))) {
          copiedFiles.put(resolveDir(dest), src);
        }
      }
    }

    /** One RUN line: pip installs become dependencies, apt-get installs a warning, the rest too. */
    void run(Instruction in, boolean builderStage) {
      String text = execForm(in.args()).map(w -> String.join(" ", w)).orElse(in.args());
      List<String> skipped = new ArrayList<>();
      Set<String> aptPackages = new LinkedHashSet<>();
      for (String command : text.split("&&|;|\\|\\|")) {
        List<String> words = ShellWords.split(command.strip());
        if (words.isEmpty()) {
          continue;
        }
        int pip = pipInstallAt(words);
        if (pip >= 0) {
          pipInstall(in, words.subList(pip, words.size()));
          continue;
        }
        String program = words.get(0).substring(words.get(0).lastIndexOf('/') + 1);
        if ((program.equals("apt-get") || program.equals("apt")) && words.contains("install")) {
          words.subList(words.indexOf("install") + 1, words.size()).stream()
              .filter(w -> !w.startsWith("-"))
              .map(w -> w.replaceAll("[=:].*$", ""))
              .forEach(aptPackages::add);
          continue;
        }
        if (isHousekeeping(program, words)) {
          continue;
        }
        if (!builderStage) {
          skipped.add(command.strip());
        }
      }
      if (!aptPackages.isEmpty()) {
        List<String> missing = aptPackages.stream().filter(p -> !installedHere.test(p)).toList();
        warnings.add(
            in.origin()
                .problem(
                    "Pylon does not run apt-get: the image would install "
                        + String.join(", ", aptPackages)
                        + "; "
                        + (missing.isEmpty()
                            ? (aptPackages.size() == 1
                                ? "this machine has it"
                                : "this machine has them all")
                            : "this machine lacks " + String.join(", ", missing)),
                    missing.isEmpty()
                        ? ""
                        : "install them here (sudo apt-get install "
                            + String.join(" ", missing)
                            + ")"
                            + " if the app needs them at run time"));
      }
      if (!skipped.isEmpty()) {
        warnings.add(
            in.origin()
                .problem(
                    "Pylon serves the app without this step: `"
                        + String.join(" && ", skipped)
                        + "`",
                    "if the app needs it, run it once yourself, or as a Procfile `release:` step"));
      }
    }

    /**
     * Where {@code pip install} starts in the words ({@code pip}, {@code python -m pip}), or -1.
     */
    int pipInstallAt(List<String> words) {
      for (int i = 0; i + 1 < words.size(); i++) {
        String w = words.get(i).substring(words.get(i).lastIndexOf('/') + 1);
        if (w.matches("pip3?(\\.\\d+)?") && words.get(i + 1).equals("install")) {
          return i + 2;
        }
        if (w.matches("python3?(\\.\\d+)?")
            && i + 3 < words.size()
            && words.get(i + 1).equals("-m")
            && words.get(i + 2).equals("pip")
            && words.get(i + 3).equals("install")) {
          return i + 4;
        }
      }
      return -1;
    }

    void pipInstall(Instruction in, List<String> words) {
      List<String> named = new ArrayList<>();
      for (int i = 0; i < words.size(); i++) {
        String w = words.get(i);
        if (w.equals("-r") || w.equals("--requirement")) {
          if (i + 1 < words.size()) {
            requirement(in, words.get(++i));
          }
        } else if (w.startsWith("--requirement=")) {
          requirement(in, w.substring("--requirement=".length()));
        } else if (w.startsWith("-r") && w.length() > 2) {
          requirement(in, w.substring(2));
        } else if (w.equals("-c")
            || w.equals("--constraint")
            || w.equals("-i")
            || w.equals("--index-url")
            || w.equals("--extra-index-url")
            || w.equals("-f")
            || w.equals("--find-links")) {
          i++; // the option's value
        } else if (w.equals("-e") || w.equals(".") || w.equals("./") || w.startsWith("-")) {
          continue; // flags, and the project itself: pyproject.toml says what it needs
        } else if (!PACKAGING.contains(
            Dependencies.normalize(DependencyReader.requirementName(w).orElse(w)))) {
          named.add(w);
        }
      }
      if (!named.isEmpty()) {
        warnings.add(
            in.origin()
                .problem(
                    "Pylon installs dependencies from files, not from a RUN line: "
                        + String.join(" ", named)
                        + " is not installed unless requirements.txt or pyproject.toml lists it",
                    "add "
                        + String.join(", ", named)
                        + " to requirements.txt, and install that in the"
                        + " Dockerfile too (RUN pip install -r requirements.txt)"));
      }
    }

    void requirement(Instruction in, String named) {
      String path = resolveDir(named);
      String relative =
          copiedFiles.getOrDefault(
              path,
              path.startsWith(workdirSlash()) ? path.substring(workdirSlash().length()) : named);
      Path inFolder = dir.resolve(relative).normalize();
      if (Files.isRegularFile(inFolder) && inFolder.startsWith(dir)) {
        requirementFiles.add(new Located<>(dir.relativize(inFolder), in.origin()));
      } else {
        warnings.add(
            in.origin()
                .problem(
                    "`pip install -r " + named + "` names a file that is not in the app folder",
                    "Pylon installs requirements.txt or pyproject.toml from the folder instead"));
      }
    }

    Optional<Located<String>> entrypoint() {
      Optional<List<String>> words = Optional.empty();
      Origin at = null;
      if (entrypointShell.isPresent()) {
        return Optional.of(program(entrypointShell.get()));
      }
      if (entrypointExec.isPresent()) {
        List<String> all = new ArrayList<>(entrypointExec.get());
        cmdExec.ifPresent(all::addAll);
        words = Optional.of(all);
        at = entrypointAt;
      } else if (cmdShell.isPresent()) {
        return Optional.of(program(cmdShell.get()));
      } else if (cmdExec.isPresent()) {
        words = cmdExec;
        at = cmdAt;
      }
      if (words.isEmpty() || words.get().isEmpty()) {
        return Optional.empty();
      }
      List<String> mapped = new ArrayList<>(words.get());
      mapped.set(0, programWord(mapped.get(0)));
      if (mapped.size() >= 3 && mapped.get(0).matches("(ba)?sh") && mapped.get(1).equals("-c")) {
        // ["sh", "-c", "gunicorn --bind :$PORT main:app"]: the shell command is the entrypoint
        return Optional.of(new Located<>(String.join(" ", mapped.subList(2, mapped.size())), at));
      }
      return Optional.of(new Located<>(ShellWords.join(mapped), at));
    }

    Located<String> program(Located<String> shell) {
      String text = shell.value().strip();
      int space = text.indexOf(' ');
      String first = space < 0 ? text : text.substring(0, space);
      String mapped = programWord(first);
      return new Located<>(mapped + (space < 0 ? "" : text.substring(space)), shell.origin());
    }

    /**
     * {@code /usr/local/bin/gunicorn} is the virtualenv's gunicorn here; a script the Dockerfile
     * copied is run from the folder.
     */
    String programWord(String word) {
      String resolved = resolveDir(word);
      if (copiedFiles.containsKey(resolved)) {
        return "./" + copiedFiles.get(resolved);
      }
      if (word.startsWith(workdirSlash())
          && Files.isRegularFile(dir.resolve(word.substring(workdirSlash().length())))) {
        return "./" + word.substring(workdirSlash().length());
      }
      if (word.startsWith("/usr/local/bin/") || word.startsWith("/usr/bin/")) {
        return word.substring(word.lastIndexOf('/') + 1);
      }
      return word;
    }

    String workdirSlash() {
      return workdir.endsWith("/") ? workdir : workdir + "/";
    }

    String resolveDir(String path) {
      String p = path.strip();
      String joined =
          p.startsWith("/") ? p : workdirSlash() + (p.startsWith("./") ? p.substring(2) : p);
      return Path.of(joined).normalize().toString();
    }

    String substitute(String text) {
      Matcher m = VARIABLE.matcher(text);
      StringBuilder out = new StringBuilder();
      while (m.find()) {
        String name = m.group(1) != null ? m.group(1) : m.group(3);
        String value = env.getOrDefault(name, args.get(name));
        if (value == null || value.isEmpty()) {
          value = m.group(2) != null ? m.group(2) : m.group();
        }
        m.appendReplacement(out, Matcher.quoteReplacement(value));
      }
      m.appendTail(out);
      return out.toString();
    }
  }

  /** {@code rm -rf /var/lib/apt/lists/*} and the like: steps that only keep an image small. */
  private static boolean isHousekeeping(String program, List<String> words) {
    return switch (program) {
      case "apt-get", "apt" ->
          words.contains("update") || words.contains("clean") || words.contains("autoremove");
      case "rm" ->
          words.stream()
              .anyMatch(
                  w ->
                      w.contains("/var/lib/apt")
                          || w.contains("/var/cache")
                          || w.contains("/root/.cache")
                          || w.contains("/tmp"));
      case "useradd",
          "adduser",
          "groupadd",
          "addgroup",
          "chown",
          "chmod",
          "mkdir",
          "true",
          "echo" ->
          true;
      default -> false;
    };
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

  private static String unquote(String s) {
    if (s.length() >= 2
        && (s.startsWith("\"") && s.endsWith("\"") || s.startsWith("'") && s.endsWith("'"))) {
      return s.substring(1, s.length() - 1);
    }
    return s;
  }

  private static boolean dpkgInstalled(String pkg) {
    try {
      Process p =
          new ProcessBuilder("dpkg-query", "-W", "-f=${Status}", pkg)
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return p.waitFor() == 0 && out.contains("install ok installed");
    } catch (IOException e) {
      return false; // no dpkg here: say the package is missing, which is the safe thing to say
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
