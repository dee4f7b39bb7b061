package dev.pylon.revision;

import dev.pylon.revision.EnvironmentResult.Failed;
import dev.pylon.revision.EnvironmentResult.Ready;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prepares the Python environment an app runs in: a virtualenv with its dependencies, taken from a
 * content-addressed cache under {@code <stateDir>/envs/<key>/} (see {@link EnvironmentKey}), or
 * built there when the key is new.
 *
 * <h2>Why entries are built in place, under a lock, and trusted only with a marker</h2>
 *
 * The usual way to make a cache entry atomic is to build it in a temporary folder and rename it
 * into place. A virtualenv cannot be moved: {@code python -m venv} and pip write the folder's
 * absolute path into {@code pyvenv.cfg}, {@code bin/activate} and the {@code #!} line of every
 * script in {@code bin/} (pip, gunicorn, flask...), so a renamed env runs the wrong paths. So an
 * entry is built at its final path, and atomicity comes from three rules instead:
 *
 * <ol>
 *   <li>an entry is trusted only when it holds the completion marker {@value #COMPLETE_MARKER},
 *       written (by an atomic rename) as the very last step, after pip and compileall succeeded;
 *   <li>building or deleting an entry happens under an exclusive OS file lock on {@code <key>.lock}
 *       beside it, so concurrent builds of one key (threads or processes) run one after the other,
 *       and the second finds the first one's finished entry;
 *   <li>a folder without the marker found under the lock is what a crashed or killed build left
 *       behind: it is deleted and rebuilt. A failed build deletes its own folder.
 * </ol>
 *
 * The marker's modification time records when the entry was last used, for {@code gc}.
 *
 * <p>pip runs as {@code <base python> -m pip --python <env>/bin/python install -r FILE} when the
 * base interpreter's pip can do that (see {@link PipProbe}: it saves ensurepip's seconds), else as
 * {@code <env>/bin/python -m pip install -r FILE}. Either way it inherits Pylon's environment, so
 * {@code PIP_NO_INDEX}, {@code PIP_FIND_LINKS}, {@code PIP_INDEX_URL} and pip's config files apply
 * unchanged.
 */
public final class EnvironmentBuilder {
  private static final Logger log = LoggerFactory.getLogger(EnvironmentBuilder.class);

  /** The file whose presence makes an entry trusted; written last. */
  public static final String COMPLETE_MARKER = ".pylon-complete";

  private static final int TAIL_LINES = 30;

  private final Path envsDir;
  private final BuildProgress progress;
  private final CommandRunner runner;
  private final boolean preferBasePip;

  public EnvironmentBuilder(Path stateDir, BuildProgress progress) {
    this(stateDir, progress, Map.of());
  }

  /**
   * @param extraEnv variables added to the environment of venv and pip, on top of Pylon's own
   *     (which they inherit); for tests and callers that set {@code PIP_*} per build
   */
  public EnvironmentBuilder(Path stateDir, BuildProgress progress, Map<String, String> extraEnv) {
    this(stateDir, progress, extraEnv, true);
  }

  /**
   * @param preferBasePip false forces the classic path (ensurepip, then the virtualenv's own pip)
   *     even when the base pip could do the work; tests use it to cover that path
   */
  EnvironmentBuilder(
      Path stateDir, BuildProgress progress, Map<String, String> extraEnv, boolean preferBasePip) {
    this.envsDir = stateDir.toAbsolutePath().normalize().resolve("envs");
    this.progress = progress;
    this.runner = new CommandRunner(extraEnv, TAIL_LINES);
    this.preferBasePip = preferBasePip;
  }

  /** The folder that holds the cache entries. */
  public Path envsDir() {
    return envsDir;
  }

  /**
   * Returns an environment to run the app with: the cached virtualenv when its key is known,
   * otherwise a new one built now. Never throws for a failure a user can fix; returns {@link
   * Failed} instead, with nothing half-built left behind.
   */
  public EnvironmentResult prepare(EnvironmentRequest request) {
    long started = System.nanoTime();
    if (!Files.isExecutable(request.interpreter())) {
      return EnvironmentProblems.noInterpreter(request.interpreter());
    }
    if (!request.needsVirtualenv()) {
      return new Ready(request.interpreter(), Optional.empty(), false, since(started));
    }
    for (Path file : request.dependencyFiles()) {
      if (!Files.isRegularFile(request.appDir().resolve(file))) {
        return EnvironmentProblems.missingDependencyFile(request.appDir().resolve(file));
      }
    }
    String key;
    try {
      key = EnvironmentKey.of(request);
    } catch (IOException e) {
      return EnvironmentProblems.ioFailed("read the dependency files", request.appDir(), e);
    }
    Path envDir = envsDir.resolve(key);
    if (isComplete(envDir)) {
      return reuse(envDir, started);
    }
    try {
      Files.createDirectories(envsDir);
      KeyLock lock =
          KeyLock.acquire(
              lockFile(key),
              () -> progress.step("Waiting for another build of the same environment"));
      try {
        if (isComplete(envDir)) {
          return reuse(envDir, started);
        }
        return build(request, key, envDir, started);
      } finally {
        lock.close();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return EnvironmentProblems.interrupted();
    } catch (IOException e) {
      return EnvironmentProblems.ioFailed("build the virtualenv", envDir, e);
    }
  }

  /**
   * Whether {@code envDir} is a finished, trusted cache entry: it has the marker, and its
   * interpreter still runs (a base interpreter removed or upgraded in place leaves a virtualenv
   * whose {@code bin/python} link points nowhere; such an entry is rebuilt).
   */
  static boolean isComplete(Path envDir) {
    return Files.isRegularFile(envDir.resolve(COMPLETE_MARKER))
        && Files.isExecutable(pythonOf(envDir));
  }

  Path lockFile(String key) {
    return envsDir.resolve(key + ".lock");
  }

  private Ready reuse(Path envDir, long started) {
    try {
      Files.setLastModifiedTime(envDir.resolve(COMPLETE_MARKER), FileTime.from(Instant.now()));
    } catch (IOException e) {
      // Only gc's notion of "recently used" suffers; the environment itself is fine.
      log.warn("could not record use of {}: {}", envDir, e.toString());
    }
    progress.step("Reusing the cached virtualenv " + envDir.getFileName());
    return new Ready(pythonOf(envDir), Optional.of(envDir), true, since(started));
  }

  /** Builds the entry; the caller holds the key's lock. */
  private EnvironmentResult build(EnvironmentRequest request, String key, Path envDir, long started)
      throws IOException, InterruptedException {
    if (Files.exists(envDir)) {
      progress.step("Removing an unfinished virtualenv left by an interrupted build");
      FileTrees.deleteRecursively(envDir);
    }
    boolean complete = false;
    try {
      EnvironmentResult result = buildSteps(request, key, envDir, started);
      complete = result instanceof Ready;
      return result;
    } finally {
      if (!complete) {
        deleteQuietly(envDir);
      }
    }
  }

  private EnvironmentResult buildSteps(
      EnvironmentRequest request, String key, Path envDir, long started)
      throws IOException, InterruptedException {
    List<RequirementSources.Source> sources;
    try {
      sources = RequirementSources.of(request.appDir(), request.dependencyFiles());
    } catch (DependencyFileException e) {
      return new Failed(e.getMessage(), -1, List.of());
    }
    progress.step(
        "Creating a virtualenv with Python "
            + request.interpreterVersion()
            + (request.systemSitePackages() ? " (with system site-packages)" : ""));
    boolean basePip =
        preferBasePip
            && PipProbe.canTargetOtherEnvironments(runner, request.interpreter(), envsDir);
    List<String> venv = new ArrayList<>(List.of(request.interpreter().toString(), "-m", "venv"));
    if (basePip) {
      venv.add("--without-pip");
    }
    if (request.systemSitePackages()) {
      venv.add("--system-site-packages");
    }
    venv.add(envDir.toString());
    // Outside the app folder: `python -m` puts the working directory first on sys.path, and an
    // app's own json.py or email/ must not stand in for the standard library's. pip alone runs
    // in the app folder, as a person would run it, so relative paths in requirements work.
    CommandResult created = run(venv, envsDir);
    if (!created.succeeded()) {
      return EnvironmentProblems.venvFailed(request, created);
    }
    Path python = pythonOf(envDir);
    int generatedCount = 0;
    for (RequirementSources.Source source : sources) {
      Path resolved;
      if (source.file().isPresent()) {
        resolved = source.file().get();
      } else {
        String text = source.generated().orElse("");
        if (text.isBlank()) {
          progress.step(source.name() + " lists no dependencies");
          continue;
        }
        resolved = envDir.resolve("pylon-requirements-" + (++generatedCount) + ".txt");
        Files.writeString(resolved, text, StandardCharsets.UTF_8);
        progress.step("Requirements derived from " + source.name() + ":");
        text.lines().forEach(progress::line);
      }
      Path file = Path.of(source.name());
      progress.step("Installing dependencies from " + file);
      List<String> install = new ArrayList<>();
      if (basePip) {
        install.addAll(
            List.of(request.interpreter().toString(), "-m", "pip", "--python", python.toString()));
      } else {
        install.addAll(List.of(python.toString(), "-m", "pip"));
      }
      install.addAll(
          List.of(
              "install", "--disable-pip-version-check", "--no-input", "-r", resolved.toString()));
      CommandResult installed = run(install, request.appDir());
      if (!installed.succeeded()) {
        return EnvironmentProblems.pipFailed(
            file, installed, request.systemSitePackages(), System.getenv());
      }
    }
    // pip compiles what it installs already; this catches what it skipped. Packages often ship
    // files that do not compile on this Python (py2-only tests, templates named .py), which pip
    // ignores too, so a failure here is reported, not fatal.
    progress.step("Compiling bytecode of the installed packages");
    CommandResult compiled =
        run(List.of(python.toString(), "-m", "compileall", "-q", "-j", "0", "lib"), envDir);
    if (!compiled.succeeded()) {
      progress.step("Some installed files did not compile (see above); Python skips them too");
    }
    writeMarker(request, key, envDir, since(started));
    log.info("built environment {} in {}", envDir, since(started));
    return new Ready(python, Optional.of(envDir), false, since(started));
  }

  private CommandResult run(List<String> command, Path workDir)
      throws IOException, InterruptedException {
    return runner.run(command, workDir, Map.of(), progress::line);
  }

  private static void writeMarker(
      EnvironmentRequest request, String key, Path envDir, Duration took) throws IOException {
    Properties marker = new Properties();
    marker.setProperty("key", key);
    marker.setProperty("interpreter", request.interpreter().toString());
    marker.setProperty("interpreterVersion", request.interpreterVersion());
    marker.setProperty("systemSitePackages", Boolean.toString(request.systemSitePackages()));
    marker.setProperty("dependencyFiles", request.dependencyFiles().toString());
    marker.setProperty("builtAt", Instant.now().toString());
    marker.setProperty("buildMillis", Long.toString(took.toMillis()));
    Path temporary = envDir.resolve(COMPLETE_MARKER + ".tmp");
    try (Writer out = Files.newBufferedWriter(temporary, StandardCharsets.UTF_8)) {
      marker.store(out, "A finished Pylon environment; delete this file to force a rebuild");
    }
    Files.move(temporary, envDir.resolve(COMPLETE_MARKER), StandardCopyOption.ATOMIC_MOVE);
  }

  static Path pythonOf(Path envDir) {
    return envDir.resolve("bin").resolve("python");
  }

  private static void deleteQuietly(Path dir) {
    try {
      FileTrees.deleteRecursively(dir);
    } catch (IOException e) {
      // Harmless for correctness: without the marker the folder is never trusted and the next
      // build of the key deletes it.
      log.warn("could not delete the unfinished environment {}: {}", dir, e.toString());
    }
  }

  private static Duration since(long startedNanos) {
    return Duration.ofNanos(System.nanoTime() - startedNanos);
  }
}
