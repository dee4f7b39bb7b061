package dev.pylon.spec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the Python interpreters on this machine: {@code python3} and {@code python3.X} on PATH
 * (first), pyenv versions, {@code /usr/bin} and {@code /usr/local/bin}, uv-managed installs, and
 * the builds Pylon provisioned into its state directory ({@code STATE/pythons/NAME/bin/python3}).
 * Each is asked its version once; answers are cached per path for the life of this finder.
 */
public final class PythonFinder {
  private static final Logger log = LoggerFactory.getLogger(PythonFinder.class);
  private static final Pattern PYTHON3_NAME = Pattern.compile("python3(\\.\\d+)?");
  private static final String PROBE =
      "import sys, platform; print(sys.executable); print(platform.python_version())";

  /**
   * One interpreter.
   *
   * @param executable the real binary ({@code sys.executable}), not a shim
   * @param version for example {@code 3.11.2}
   * @param foundAs the path it was found under (a PATH entry may be a pyenv shim)
   * @param where how it was found: {@code PATH}, {@code pyenv}, {@code system}, {@code uv}, {@code
   *     pylon} (provisioned into the state directory), or {@code given}
   */
  public record Found(Path executable, String version, Path foundAs, String where) {
    public PythonVersion parsedVersion() {
      return PythonVersion.parse(version).orElseThrow();
    }

    /** The same interpreter, labelled as found some other way. */
    public Found foundBy(String how) {
      return new Found(executable, version, foundAs, how);
    }
  }

  /** The folder under the state directory that holds provisioned builds, one folder each. */
  public static final String PROVISIONED = "pythons";

  /** Where distributions put their interpreters. */
  public static final List<Path> SYSTEM_DIRS =
      List.of(Path.of("/usr/bin"), Path.of("/usr/local/bin"));

  private final Map<String, String> env;
  private final Path home;
  private final Duration probeTimeout;
  private final List<Path> systemDirs;
  private final Optional<Path> provisioned;
  private final Map<Path, Optional<Found>> probed = new ConcurrentHashMap<>();
  private volatile List<Candidate> candidates;

  /** A finder over this process's environment. */
  public PythonFinder() {
    this(System.getenv(), Path.of(System.getProperty("user.home")), Duration.ofSeconds(10));
  }

  /** A finder over the given environment (PATH, PYENV_ROOT, UV_PYTHON_INSTALL_DIR) and home. */
  public PythonFinder(Map<String, String> env, Path home, Duration probeTimeout) {
    this(env, home, probeTimeout, SYSTEM_DIRS, Optional.empty());
  }

  /**
   * @param systemDirs the distribution's folders to look in ({@link #SYSTEM_DIRS} on a real
   *     machine)
   * @param provisioned the folder of provisioned builds ({@code STATE/pythons}), if any
   */
  public PythonFinder(
      Map<String, String> env,
      Path home,
      Duration probeTimeout,
      List<Path> systemDirs,
      Optional<Path> provisioned) {
    this.env = Map.copyOf(env);
    this.home = home;
    this.probeTimeout = probeTimeout;
    this.systemDirs = List.copyOf(systemDirs);
    this.provisioned = provisioned;
  }

  /** A finder over this process's environment that also sees the builds under {@code stateDir}. */
  public static PythonFinder withProvisioned(Path stateDir) {
    return new PythonFinder(
        System.getenv(),
        Path.of(System.getProperty("user.home")),
        Duration.ofSeconds(10),
        SYSTEM_DIRS,
        Optional.of(stateDir.resolve(PROVISIONED)));
  }

  /** Every interpreter found, PATH ones first, each real binary once. */
  public List<Found> all() {
    return dedupe(probeAll(candidates()));
  }

  /**
   * The interpreters on PATH only, in PATH order. Cheaper than {@link #all()}: when nothing asks
   * for another version, these are the only ones that need asking.
   */
  public List<Found> onPath() {
    return dedupe(probeAll(candidates().stream().filter(c -> c.where().equals("PATH")).toList()));
  }

  /** The first {@code python3} on PATH, if any. */
  public Optional<Found> firstOnPath() {
    List<Candidate> path = candidates().stream().filter(c -> c.where().equals("PATH")).toList();
    for (Candidate c : path) {
      // Ask one at a time: the first one usually answers, and the rest need not start.
      Optional<Found> f = probeAll(List.of(c)).stream().findFirst();
      if (f.isPresent()) {
        return f;
      }
    }
    return Optional.empty();
  }

  private List<Candidate> candidates() {
    List<Candidate> c = candidates;
    if (c == null) {
      c = discover();
      candidates = c;
    }
    return c;
  }

  /** Looks again on the next question: an interpreter was installed since the last look. */
  void rediscover() {
    candidates = null;
  }

  private static List<Found> dedupe(List<Found> found) {
    Map<Path, Found> byRealPath = new LinkedHashMap<>();
    for (Found f : found) {
      byRealPath.putIfAbsent(realPath(f.executable()), f);
    }
    return List.copyOf(byRealPath.values());
  }

  /** Asks one interpreter its version; empty when it is not a working Python. */
  public Optional<Found> probe(Path executable) {
    return probeAll(List.of(new Candidate(executable, "given"))).stream().findFirst();
  }

  private record Candidate(Path path, String where) {}

  private List<Candidate> discover() {
    Set<Path> seen = new LinkedHashSet<>();
    List<Candidate> candidates = new ArrayList<>();
    Path pyenvRoot =
        Optional.ofNullable(env.get("PYENV_ROOT")).map(Path::of).orElse(home.resolve(".pyenv"));
    Path shims = pyenvRoot.resolve("shims").toAbsolutePath().normalize();
    String path = env.getOrDefault("PATH", "");
    for (String dir : path.split(":")) {
      if (dir.isBlank()) {
        continue;
      }
      Path d = Path.of(dir).toAbsolutePath().normalize();
      Optional<Path> pyenvBin = d.equals(shims) ? pyenvSelected(pyenvRoot) : Optional.empty();
      // A pyenv shim is a shell script that asks pyenv which version to run: ask the same
      // files it reads (PYENV_VERSION, then $PYENV_ROOT/version) instead of running it.
      addPythonsIn(pyenvBin.orElse(d), "PATH", seen, candidates);
    }
    List<Path> pyenvVersions = new ArrayList<>(children(pyenvRoot.resolve("versions")));
    // Newest first, by version rather than by name (3.9 after 3.13).
    pyenvVersions.sort(
        Comparator.comparing(
                (Path v) ->
                    PythonVersion.parse(v.getFileName().toString())
                        .orElse(new PythonVersion(List.of(0))))
            .reversed());
    for (Path version : pyenvVersions) {
      addIfExecutable(version.resolve("bin/python3"), "pyenv", seen, candidates);
    }
    for (Path dir : systemDirs) {
      addPythonsIn(dir, "system", seen, candidates);
    }
    Path uvRoot =
        Optional.ofNullable(env.get("UV_PYTHON_INSTALL_DIR"))
            .map(Path::of)
            .orElse(home.resolve(".local/share/uv/python"));
    for (Path install : children(uvRoot)) {
      addIfExecutable(install.resolve("bin/python3"), "uv", seen, candidates);
    }
    for (Path install : provisioned.map(PythonFinder::children).orElse(List.of())) {
      // A build being unpacked lives in a dot-folder until it is renamed into place whole.
      if (!install.getFileName().toString().startsWith(".")) {
        addIfExecutable(install.resolve("bin/python3"), "pylon", seen, candidates);
      }
    }
    return List.copyOf(candidates);
  }

  /** The bin folder of pyenv's global (or PYENV_VERSION) version, if it is an install. */
  private Optional<Path> pyenvSelected(Path pyenvRoot) {
    String version = env.get("PYENV_VERSION");
    if (version == null) {
      try {
        version =
            Files.readAllLines(pyenvRoot.resolve("version")).stream()
                .map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .findFirst()
                .orElse(null);
      } catch (IOException e) {
        version = null;
      }
    }
    if (version == null || version.equals("system")) {
      return Optional.empty();
    }
    Path bin = pyenvRoot.resolve("versions").resolve(version.split(":")[0]).resolve("bin");
    return Files.isDirectory(bin) ? Optional.of(bin) : Optional.empty();
  }

  private static void addPythonsIn(
      Path dir, String where, Set<Path> seen, List<Candidate> candidates) {
    // python3 first, then python3.X in version order, so "first on PATH" means python3.
    addIfExecutable(dir.resolve("python3"), where, seen, candidates);
    List<Path> versioned = new ArrayList<>();
    for (Path child : children(dir)) {
      String name = child.getFileName().toString();
      if (PYTHON3_NAME.matcher(name).matches() && !name.equals("python3")) {
        versioned.add(child);
      }
    }
    versioned.sort(
        (a, b) ->
            PythonVersion.parse(a.getFileName().toString().substring("python".length()))
                .orElseThrow()
                .compareTo(
                    PythonVersion.parse(b.getFileName().toString().substring("python".length()))
                        .orElseThrow()));
    for (Path p : versioned) {
      addIfExecutable(p, where, seen, candidates);
    }
  }

  private static void addIfExecutable(
      Path file, String where, Set<Path> seen, List<Candidate> candidates) {
    if (Files.isRegularFile(file) && Files.isExecutable(file) && seen.add(file)) {
      candidates.add(new Candidate(file, where));
    }
  }

  private static List<Path> children(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
      stream.forEach(out::add);
    } catch (IOException e) {
      log.debug("cannot list {}: {}", dir, e.toString());
    }
    out.sort(null);
    return out;
  }

  /** Starts every probe not yet cached at once, then collects the answers in order. */
  private List<Found> probeAll(List<Candidate> candidates) {
    Map<Candidate, Process> started = new LinkedHashMap<>();
    for (Candidate c : candidates) {
      if (!probed.containsKey(c.path())) {
        try {
          ProcessBuilder pb = new ProcessBuilder(c.path().toString(), "-c", PROBE);
          pb.directory(Path.of("/").toFile()); // a shim must not read the app's .python-version
          pb.redirectErrorStream(false);
          pb.redirectError(ProcessBuilder.Redirect.DISCARD);
          pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
          started.put(c, pb.start());
        } catch (IOException e) {
          log.debug("cannot run {}: {}", c.path(), e.toString());
          probed.put(c.path(), Optional.empty());
        }
      }
    }
    for (Map.Entry<Candidate, Process> e : started.entrySet()) {
      probed.put(e.getKey().path(), collect(e.getKey(), e.getValue()));
    }
    List<Found> out = new ArrayList<>();
    for (Candidate c : candidates) {
      probed.getOrDefault(c.path(), Optional.empty()).ifPresent(out::add);
    }
    return out;
  }

  private Optional<Found> collect(Candidate candidate, Process process) {
    try {
      if (!process.waitFor(probeTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        log.debug("{} did not answer within {}", candidate.path(), probeTimeout);
        return Optional.empty();
      }
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      List<String> lines = out.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
      if (process.exitValue() != 0 || lines.size() < 2) {
        return Optional.empty();
      }
      String version = lines.get(1);
      if (PythonVersion.parse(version).isEmpty()) {
        return Optional.empty();
      }
      Path executable = lines.get(0).isEmpty() ? candidate.path() : Path.of(lines.get(0));
      return Optional.of(new Found(executable, version, candidate.path(), candidate.where()));
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      return Optional.empty();
    }
  }

  private static Path realPath(Path p) {
    try {
      return p.toRealPath();
    } catch (IOException e) {
      return p.toAbsolutePath().normalize();
    }
  }
}
