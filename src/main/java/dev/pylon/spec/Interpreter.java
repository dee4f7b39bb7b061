package dev.pylon.spec;

import java.nio.file.Path;

/**
 * The Python interpreter a service runs with.
 *
 * @param executable the real interpreter binary (not a pyenv shim)
 * @param version full version, for example {@code 3.11.2}
 * @param decidedBy why this one, naming the file or flag that asked for it
 */
public record Interpreter(Path executable, String version, String decidedBy) {

  /** {@code 3.11} for {@code 3.11.2}. */
  public String minorVersion() {
    String[] parts = version.split("\\.");
    return parts.length >= 2 ? parts[0] + "." + parts[1] : version;
  }
}
