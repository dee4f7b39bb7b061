package dev.pylon.control.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pylon.control.ContainerMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pylon deploy --container} is refused before any work on a host without an engine. */
class DeployContainersTest {
  @TempDir Path emptyPath;

  private static DeployRequest request(boolean container) {
    return new DeployRequest(
        Path.of("examples/hello"),
        Optional.empty(),
        false,
        Optional.empty(),
        false,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Duration.ZERO,
        container,
        Optional.empty());
  }

  @Test
  void withoutAnEngineTheDeployFailsWithTheErrorPylonRunGives() {
    assertThatThrownBy(() -> DeployContainers.mode(request(true), emptyPath.toString()))
        .isInstanceOf(AdminError.class)
        .hasMessage(ContainerMode.NO_ENGINE)
        .satisfies(
            e -> assertThat(((AdminError) e).hint()).contains("nothing that was serving changed"));
  }

  @Test
  void aProcessDeployNeedsNoEngine() throws Exception {
    assertThat(DeployContainers.mode(request(false), emptyPath.toString())).isEmpty();
  }
}
