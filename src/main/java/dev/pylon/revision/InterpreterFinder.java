package dev.pylon.revision;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds a Python interpreter for a wanted version ({@code runtime_version}, {@code
 * .python-version}, {@code runtime.txt}: "3.11", "3.11.2" or nothing).
 *
 * <p>Where it looks, in order: {@code pythonX.Y} in each {@code PATH} folder, {@code
 * /usr/bin/pythonX.Y} and {@code /usr/local/bin/pythonX.Y}, pyenv's {@code
 * $PYENV_ROOT/versions/X.Y*} (newest patch first), then {@code python3} on {@code PATH} and {@code
 * /usr/bin/python3}. Each candidate is run once to learn its real version and executable (so pyenv
 * shims and symbolic links resolve to the interpreter behind them); the first whose version matches
 * wins. With no wanted version, the first working {@code python3} wins.
 */
public final class InterpreterFinder {
  private static final Logger log = LoggerFactory.getLogger(InterpreterFinder.class);
  private static final String PROBE =
      "import platform, sys, os; print(platform.python_version());"
          + " print(os.path.realpath(sys.executable))";

  private final Map<String, String> env;
  private final CommandRunner runner = new CommandRunner(Map.of(), 5);

  /**
   * @param env the environment to search: {@code PATH}, {@code PYENV_ROOT}, {@code HOME}
   */
  public InterpreterFinder(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  /** Searches the process's own environment. */
  public static InterpreterFinder fromSystem() {
    return new InterpreterFinder(System.getenv());
  }

  /** The outcome of a search. */
  public sealed interface Result {
    record Found(Interpreter interpreter) implements Result {}

    /**
     * @param message one paragraph: what was looked for, where, and what to install
     */
    record NotFound(String message) implements Result {}
  }

  /** Finds an interpreter of {@code wantedVersion}, or any Python 3 when it is empty. */
  public Result find(Optional<String> wantedVersion) throws InterruptedException {
    List<Path> candidates = candidates(wantedVersion);
    for (Path candidate : candidates) {
      Optional<Interpreter> interpreter = probe(candidate);
      if (interpreter.isPresent() && interpreter.get().matches(wantedVersion.orElse("3"))) {
        return new Result.Found(interpreter.get());
      }
    }
    String wanted = wantedVersion.map(v -> "Python " + v).orElse("Python 3");
    String minor = wantedVersion.map(InterpreterFinder::minorOf).orElse("3");
    return new Result.NotFound(
        "No "
            + wanted
            + " interpreter was found (looked for python"
            + minor
            + " on PATH, in /usr/bin and /usr/local/bin, and in pyenv's versions). Install it"
            + " (on Debian or Ubuntu: apt-get install python"
            + minor
            + " python"
            + minor
            + "-venv; or pyenv install "
            + wantedVersion.orElse("3")
            + "), or ask for a version that is installed.");
  }

  /** Runs {@code executable} to learn its version; empty when it is not a working Python. */
  public Optional<Interpreter> probe(Path executable) throws InterruptedException {
    if (!Files.isExecutable(executable)) {
      return Optional.empty();
    }
    try {
      CommandResult result =
          runner.run(
              List.of(executable.toString(), "-c", PROBE),
              Path.of(System.getProperty("java.io.tmpdir")),
              Map.of(),
              line -> {},
              Duration.ofSeconds(20));
      List<String> lines = result.outputTail();
      if (!result.succeeded() || lines.size() < 2) {
        log.debug("{} is not a working python: {}", executable, lines);
        return Optional.empty();
      }
      String version = lines.get(lines.size() - 2).trim();
      Path real = Path.of(lines.get(lines.size() - 1).trim());
      return Optional.of(new Interpreter(real, version));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private List<Path> candidates(Optional<String> wanted) {
    Set<Path> candidates = new LinkedHashSet<>();
    List<Path> pathDirs = new ArrayList<>();
    for (String dir : env.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin").split(":")) {
      if (!dir.isBlank()) {
        pathDirs.add(Path.of(dir));
      }
    }
    if (wanted.isPresent()) {
      String name = "python" + minorOf(wanted.get());
      pathDirs.forEach(dir -> candidates.add(dir.resolve(name)));
      candidates.add(Path.of("/usr/bin", name));
      candidates.add(Path.of("/usr/local/bin", name));
      candidates.addAll(pyenvVersions(wanted.get()));
    }
    pathDirs.forEach(dir -> candidates.add(dir.resolve("python3")));
    candidates.add(Path.of("/usr/bin/python3"));
    return List.copyOf(candidates);
  }

  /** pyenv's installs whose folder name starts with the wanted version, newest first. */
  private List<Path> pyenvVersions(String wanted) {
    String root = env.getOrDefault("PYENV_ROOT", env.getOrDefault("HOME", "/root") + "/.pyenv");
    Path versions = Path.of(root, "versions");
    if (!Files.isDirectory(versions)) {
      return List.of();
    }
    List<Path> found = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(versions)) {
      for (Path dir : dirs) {
        String name = dir.getFileName().toString();
        if (name.equals(wanted) || name.startsWith(wanted + ".")) {
          found.add(dir.resolve("bin/python"));
        }
      }
    } catch (IOException e) {
      log.debug("cannot list {}: {}", versions, e.toString());
    }
    found.sort(Comparator.comparing(InterpreterFinder::versionKey).reversed());
    return found;
  }

  private static String versionKey(Path python) {
    StringBuilder key = new StringBuilder();
    for (String part : python.getParent().getParent().getFileName().toString().split("\\.")) {
      key.append(String.format("%06d", part.matches("\\d+") ? Integer.parseInt(part) : 0));
    }
    return key.toString();
  }

  /** "3.11.2" to "3.11"; "3" stays "3". */
  private static String minorOf(String version) {
    String[] parts = version.trim().split("\\.");
    return parts.length >= 2 ? parts[0] + "." + parts[1] : parts[0];
  }
}
