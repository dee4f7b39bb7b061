package dev.pylon.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where Pylon keeps virtualenvs, revisions and logs: {@code --state-dir}, else {@code $PYLON_HOME},
 * else {@code $XDG_DATA_HOME/pylon}, else {@code ~/.local/share/pylon}.
 */
public final class StateDirectory {
  private StateDirectory() {}

  public static Path resolve(Optional<Path> flag, Map<String, String> environment, Path home) {
    if (flag.isPresent()) {
      return flag.get().toAbsolutePath().normalize();
    }
    String pylonHome = environment.get("PYLON_HOME");
    if (pylonHome != null && !pylonHome.isBlank()) {
      return Path.of(pylonHome).toAbsolutePath().normalize();
    }
    String xdgData = environment.get("XDG_DATA_HOME");
    if (xdgData != null && !xdgData.isBlank()) {
      return Path.of(xdgData, "pylon").toAbsolutePath().normalize();
    }
    return home.resolve(".local/share/pylon");
  }
}
