package dev.pylon.revision;

import java.nio.file.Path;

/**
 * A Python interpreter found on this machine.
 *
 * @param path the real executable ({@code sys.executable} with links and pyenv shims resolved)
 * @param version its full version, for example {@code 3.11.2}
 */
public record Interpreter(Path path, String version) {

  /** Whether this interpreter satisfies {@code wanted} ("3", "3.11", "3.11.2"). */
  public boolean matches(String wanted) {
    String[] want = wanted.trim().split("\\.");
    String[] have = version.split("\\.");
    if (want.length > have.length) {
      return false;
    }
    for (int i = 0; i < want.length; i++) {
      if (!want[i].equals(have[i])) {
        return false;
      }
    }
    return true;
  }
}
