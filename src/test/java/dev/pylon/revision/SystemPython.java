package dev.pylon.revision;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Debian's interpreter, which has Flask and friends installed as system packages. */
final class SystemPython {
  static final Path PATH = Path.of("/usr/bin/python3");
  static final String VERSION = "3.11.2";

  /** pip must never try the network here: PyPI is not reachable from this machine. */
  static final Map<String, String> OFFLINE = Map.of("PIP_NO_INDEX", "1");

  private SystemPython() {}

  static EnvironmentRequest request(Path appDir, List<Path> files, boolean systemSite) {
    return new EnvironmentRequest(PATH, VERSION, appDir, files, systemSite);
  }

  /** Runs {@code python -c code} and returns its stdout; fails the test on a non-zero exit. */
  static String run(Path python, String code) throws IOException, InterruptedException {
    return exec(List.of(python.toString(), "-c", code), Path.of("."), Map.of());
  }

  /**
   * Builds a wheel of a one-module package offline (pip wheel works without an index) and returns
   * the folder holding it.
   */
  static Path wheelhouseWith(Path work, String distribution, String module, String body)
      throws IOException, InterruptedException {
    Path pkg = work.resolve("pkg-" + distribution);
    Files.createDirectories(pkg.resolve(module));
    Files.writeString(
        pkg.resolve("pyproject.toml"),
        "[build-system]\nrequires = [\"setuptools\"]\n"
            + "build-backend = \"setuptools.build_meta\"\n\n"
            + "[project]\nname = \""
            + distribution
            + "\"\nversion = \"1.0\"\n");
    Files.writeString(pkg.resolve(module).resolve("__init__.py"), body);
    Path wheelhouse = work.resolve("wheelhouse");
    exec(
        List.of(
            PATH.toString(),
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            wheelhouse.toString(),
            pkg.toString()),
        work,
        OFFLINE);
    return wheelhouse;
  }

  static String exec(List<String> command, Path workDir, Map<String, String> env)
      throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
    builder.environment().putAll(env);
    builder.redirectErrorStream(true);
    Process process = builder.start();
    byte[] output = process.getInputStream().readAllBytes();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(command + " did not finish within 60 s");
    }
    String text = new String(output, StandardCharsets.UTF_8);
    if (process.exitValue() != 0) {
      throw new AssertionError(command + " exited " + process.exitValue() + ":\n" + text);
    }
    return text.strip();
  }
}
