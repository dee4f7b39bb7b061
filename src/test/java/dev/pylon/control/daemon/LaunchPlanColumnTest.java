package dev.pylon.control.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pylon.runtime.Probe;
import dev.pylon.runtime.SupervisorOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

  @Test
  void theDeclaredChecksSurviveTheColumnAndOldRowsKeepTheRuntimesDefaults() throws Exception {
    InstanceChecks declared =
        new InstanceChecks(
            Optional.of(Probe.serverAnswers()),
            Optional.of(
                Probe.http("/ready")
                    .withPeriod(Duration.ofSeconds(2))
                    .withTimeout(Duration.ofMillis(1500))
                    .withThresholds(2, 4)),
            Optional.of(Probe.http("/healthz").withInitialDelay(Duration.ofSeconds(30))),
            Optional.of(Duration.ofSeconds(8)));
    LaunchSpec checked = PROCESS.withChecks(declared);
    LaunchSpec read = StoreColumns.launch(StoreColumns.launchJson(checked));
    assertThat(read.checks()).isEqualTo(declared);

    SupervisorOptions supervised = read.supervise(SupervisorOptions.defaults());
    assertThat(supervised.readiness()).isEqualTo(declared.readiness().get());
    assertThat(supervised.liveness()).contains(declared.liveness().get());
    assertThat(declared.startTimeoutWithin(Duration.ofSeconds(120))).hasSeconds(8);
    assertThat(declared.startTimeoutWithin(Duration.ofSeconds(5))).hasSeconds(5);

    assertThat(StoreColumns.launchJson(PROCESS)).doesNotContain("checks");
    assertThat(PROCESS.checks()).isEqualTo(InstanceChecks.DEFAULTS);
    assertThat(InstanceChecks.DEFAULTS.startTimeoutWithin(Duration.ofSeconds(120))).hasSeconds(120);
  }

  @Test
  void aDamagedChecksEntryIsADamagedStoreNotACrash() {
    assertThatThrownBy(
            () ->
                StoreColumns.launch(
                    "{\"command\":[\"x\"],\"env\":{},\"workDir\":\"/r\","
                        + "\"checks\":{\"readiness\":{\"type\":\"NOPE\"}}}"))
        .isInstanceOf(java.sql.SQLException.class)
        .hasMessageContaining("launch column is damaged");
  }
}
