package dev.pylon.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link InstanceSet#cpuSeconds()} with real processes: a process an instance forked counts (as a
 * gunicorn worker does), an idle instance uses next to nothing, and the total never goes down.
 */
class InstanceCpuTest {
  private static final String SERVE = "exec python3 -m http.server --bind 127.0.0.1 $PORT";

  @TempDir Path dir;
  private InstanceSet set;

  @AfterEach
  void tearDown() {
    if (set != null) {
      set.close();
    }
  }

  private InstanceSet start(String script) {
    InstanceTemplate template =
        new InstanceTemplate("svc", "rev", List.of("sh", "-c", script), Map.of(), dir);
    set =
        new InstanceSet(
            template,
            1,
            new RecordingListener(),
            SupervisorOptions.defaults().withGrace(Duration.ofSeconds(2)));
    set.start();
    assertThat(set.awaitFirstReady(Duration.ofSeconds(20)).result())
        .isEqualTo(StartOutcome.Result.READY);
    return set;
  }

  private static double coresOver(InstanceSet set, Duration d) throws InterruptedException {
    double before = set.cpuSeconds();
    long start = System.nanoTime();
    Thread.sleep(d.toMillis());
    double after = set.cpuSeconds();
    return (after - before) / ((System.nanoTime() - start) / 1e9);
  }

  @Test
  @Timeout(60)
  void aBusyProcessTheInstanceForkedCountsAndStaysCountedAfterItStops() throws Exception {
    InstanceSet busy = start("python3 -c 'while True: pass' & " + SERVE);
    double cores = coresOver(busy, Duration.ofMillis(1500));
    // One core spinning; the machine is shared, so only part of a core is certain.
    assertThat(cores).isGreaterThan(0.25);

    double seen = busy.cpuSeconds();
    busy.stop(Duration.ofSeconds(2));
    assertThat(busy.cpuSeconds()).isGreaterThanOrEqualTo(seen);
  }

  @Test
  @Timeout(60)
  void anIdleInstanceUsesNextToNoCpu() throws Exception {
    InstanceSet idle = start(SERVE);
    coresOver(idle, Duration.ofMillis(300)); // past its start-up
    assertThat(coresOver(idle, Duration.ofMillis(1500))).isLessThan(0.1);
  }
}
