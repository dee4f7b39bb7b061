package dev.pylon.revision;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A separate process that builds one environment, so a test can kill a build the way a crash, an
 * OOM kill or a closed terminal would: the whole JVM at once, no cleanup code running.
 *
 * <p>Arguments: state folder, app folder (with requirements.txt).
 */
public final class EnvironmentBuildProcess {
  private EnvironmentBuildProcess() {}

  public static void main(String[] args) {
    Path state = Path.of(args[0]);
    Path app = Path.of(args[1]);
    EnvironmentResult result =
        new EnvironmentBuilder(state, BuildProgress.SILENT, Map.of())
            .prepare(SystemPython.request(app, List.of(Path.of("requirements.txt")), false));
    System.out.println(result);
  }
}
