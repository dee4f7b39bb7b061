package dev.pylon.cli;

import dev.pylon.revision.StandalonePythons;
import dev.pylon.spec.PythonFinder;
import dev.pylon.spec.ServiceSpec;
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
    Path dir = appDir.toAbsolutePath().normalize();
    if (!Files.isDirectory(dir)) {
      throw new UserError(dir + " is not a folder. Give pylon the folder that holds your app.", 2);
    }
    return switch (result(dir, options, stateDir)) {
      case SpecResult.Loaded loaded -> loaded;
      case SpecResult.Invalid invalid -> throw new UserError(render(dir, invalid.errors()), 2);
    };
  }

  /** What the folder is, errors included, for commands that report errors themselves. */
  static SpecResult result(Path appDir, AppOptions options, Path stateDir) {
    return new SpecLoader(
            PythonFinder.withProvisioned(stateDir),
            StandalonePythons.automatic(
                stateDir, System.getenv(), line -> System.err.println("pylon: " + line)))
        .withProbeCache(stateDir.resolve(PROBE_CACHE))
        .load(appDir.toAbsolutePath().normalize(), options.overrides());
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
