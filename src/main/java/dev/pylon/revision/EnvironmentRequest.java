package dev.pylon.revision;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What a Python environment is built from.
 *
 * @param interpreter the base interpreter, for example {@code /usr/bin/python3}
 * @param interpreterVersion its version, for example {@code 3.11.2}; part of the cache key
 * @param appDir the app's folder; pip runs there, so relative paths in requirements work
 * @param dependencyFiles requirements files ({@code requirements.txt}), installed in order; empty
 *     means the app needs no virtualenv and runs on the base interpreter
 * @param systemSitePackages whether the virtualenv sees the base interpreter's packages
 */
public record EnvironmentRequest(
    Path interpreter,
    String interpreterVersion,
    Path appDir,
    List<Path> dependencyFiles,
    boolean systemSitePackages) {

  public EnvironmentRequest {
    Objects.requireNonNull(interpreter, "interpreter");
    Objects.requireNonNull(interpreterVersion, "interpreterVersion");
    appDir = appDir.toAbsolutePath().normalize();
    dependencyFiles = List.copyOf(dependencyFiles);
  }

  /** Whether the app needs a virtualenv at all. */
  public boolean needsVirtualenv() {
    return !dependencyFiles.isEmpty();
  }
}
