package dev.pylon.cli;

import dev.pylon.revision.StandalonePythons;
import dev.pylon.spec.PythonFinder;
import dev.pylon.spec.ServiceSpec;
import dev.pylon.spec.SpecAhead;
import dev.pylon.spec.SpecLoader;
import dev.pylon.spec.SpecProblem;
import dev.pylon.spec.SpecResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/** Reads a folder into a spec with the same errors for every command that needs one. */
final class SpecLoading {
  /** Where the import probe's answers are kept, under the state folder. */
  static final String PROBE_CACHE = "probe-cache";

  private SpecLoading() {}

  /**
   * The spec and its warnings, or a {@link UserError} listing every problem. A requested Python
   * that is not installed is downloaded into {@code stateDir}, with progress on stderr.
   */
  static SpecResult.Loaded loadWithWarnings(Path appDir, AppOptions options, Path stateDir) {
    Path dir = folder(appDir);
    return loaded(dir, result(dir, options, stateDir));
  }

  /**
   * The spec while the app probe may still be importing the app ({@link SpecAhead}); {@link
   * #loaded} turns its results into specs. Close it when done.
   */
  static SpecAhead ahead(Path appDir, AppOptions options, Path stateDir) {
    return loader(stateDir).loadAhead(folder(appDir), options.overrides());
  }

  /**
   * The spec and its warnings from {@code result}, or a {@link UserError} listing every problem.
   */
  static SpecResult.Loaded loaded(Path appDir, SpecResult result) {
    return switch (result) {
      case SpecResult.Loaded loaded -> loaded;
      case SpecResult.Invalid invalid ->
          throw new UserError(render(folder(appDir), invalid.errors()), 2);
    };
  }

  private static Path folder(Path appDir) {
    Path dir = appDir.toAbsolutePath().normalize();
    if (!Files.isDirectory(dir)) {
      throw new UserError(dir + " is not a folder. Give pylon the folder that holds your app.", 2);
    }
    return dir;
  }

  /** What the folder is, errors included, for commands that report errors themselves. */
  static SpecResult result(Path appDir, AppOptions options, Path stateDir) {
    return loader(stateDir).load(appDir.toAbsolutePath().normalize(), options.overrides());
  }

  private static SpecLoader loader(Path stateDir) {
    return new SpecLoader(
            PythonFinder.withProvisioned(stateDir),
            StandalonePythons.automatic(
                stateDir, System.getenv(), line -> System.err.println("pylon: " + line)))
        .withProbeCache(stateDir.resolve(PROBE_CACHE));
  }

  /** The spec; each warning goes to {@code warnings} as a printable line. */
  static ServiceSpec load(
      Path appDir, AppOptions options, Path stateDir, Consumer<String> warnings) {
    SpecResult.Loaded loaded = loadWithWarnings(appDir, options, stateDir);
    loaded.warnings().forEach(warning -> warnings.accept("pylon: warning: " + warning.render()));
    return loaded.spec();
  }

  private static String render(Path dir, List<SpecProblem> errors) {
    return "the app in "
        + dir
        + " cannot be served as it is:\n"
        + errors.stream().map(SpecProblem::render).collect(Collectors.joining("\n"));
  }
}
