package dev.pylon.revision;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Finds out whether a base interpreter's own pip can install into another environment ({@code pip
 * --python ENV_PYTHON}, pip 22.3 and later).
 *
 * <p>Why it matters: {@code python -m venv} spends most of its time (about 3-4 s of 4.5 s here) in
 * ensurepip, copying pip into every new virtualenv. When the base pip can target the virtualenv
 * from outside, Pylon creates it with {@code --without-pip} and a cold environment build drops to
 * about a second. Without such a pip the classic path (ensurepip, then the virtualenv's own pip) is
 * used.
 */
final class PipProbe {
  private static final String PROBE =
      "import pip, sys; v = tuple(int(p) for p in pip.__version__.split('.')[:2]);"
          + " sys.exit(0 if v >= (22, 3) else 3)";

  private PipProbe() {}

  /** Whether {@code interpreter -m pip --python ...} works. */
  static boolean canTargetOtherEnvironments(CommandRunner runner, Path interpreter, Path workDir)
      throws InterruptedException {
    try {
      CommandResult result =
          runner.run(List.of(interpreter.toString(), "-c", PROBE), workDir, Map.of(), line -> {});
      return result.succeeded();
    } catch (IOException e) {
      return false;
    }
  }
}
