package dev.pylon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StateDirectoryTest {
  private final Path home = Path.of("/home/ada");

  @Test
  void theFlagWinsOverTheEnvironment() {
    assertThat(
            StateDirectory.resolve(
                Optional.of(Path.of("/tmp/pylon-state")), Map.of("PYLON_HOME", "/srv/pylon"), home))
        .isEqualTo(Path.of("/tmp/pylon-state"));
  }

  @Test
  void pylonHomeComesNext() {
    assertThat(StateDirectory.resolve(Optional.empty(), Map.of("PYLON_HOME", "/srv/pylon"), home))
        .isEqualTo(Path.of("/srv/pylon"));
  }

  @Test
  void theDefaultFollowsTheXdgDataDirectory() {
    assertThat(StateDirectory.resolve(Optional.empty(), Map.of(), home))
        .isEqualTo(Path.of("/home/ada/.local/share/pylon"));
    assertThat(StateDirectory.resolve(Optional.empty(), Map.of("XDG_DATA_HOME", "/data"), home))
        .isEqualTo(Path.of("/data/pylon"));
  }
}
