package dev.pylon.control.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The launch plan's column: whether a revision's instances are containers, and of what image. */
class LaunchPlanColumnTest {
  private static final LaunchSpec PROCESS =
      new LaunchSpec(
          List.of("python3", "-m", "x", "$PORT"), Map.of("K_SERVICE", "hello"), Path.of("/r"));

  @Test
  void aRowWrittenBeforeDeployContainerReadsAsAProcessRevision() throws Exception {
    LaunchSpec old =
        StoreColumns.launch(
            "{\"command\":[\"python3\",\"-m\",\"x\",\"$PORT\"],\"env\":{\"K_SERVICE\":\"hello\"},"
                + "\"workDir\":\"/r\"}");
    assertThat(old.container()).isEmpty();
    assertThat(old).isEqualTo(PROCESS);
  }

  @Test
  void aProcessPlanIsWrittenAsBeforeAndAContainerPlanKeepsItsImageAndEngine() throws Exception {
    assertThat(StoreColumns.launchJson(PROCESS)).doesNotContain("container");
    LaunchSpec containers =
        PROCESS.inContainers(new ContainerImage(Path.of("/usr/bin/podman"), "localhost/hello:1"));
    LaunchSpec read = StoreColumns.launch(StoreColumns.launchJson(containers));
    assertThat(read).isEqualTo(containers);
    assertThat(read.container())
        .contains(new ContainerImage(Path.of("/usr/bin/podman"), "localhost/hello:1"));
  }
}
