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
  @Timeout(90)
  void aBusyProcessTheInstanceForkedCountsAndStaysCountedAfterItStops() throws Exception {
    InstanceSet busy = start("python3 -c 'while True: pass' & " + SERVE);
    // One core spinning. The machine is shared (under load a spinner may get a tenth of a core),
    // so what is asserted is that its CPU time is counted at all, not how fast it grows.
    long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
    while (busy.cpuSeconds() < 1.0 && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(busy.cpuSeconds()).isGreaterThanOrEqualTo(1.0);

    double seen = busy.cpuSeconds();
    busy.stop(Duration.ofSeconds(2));
    assertThat(busy.cpuSeconds()).isGreaterThanOrEqualTo(seen);
  }

  @Test
  @Timeout(90)
  void anIdleInstanceUsesNextToNoCpu() throws Exception {
    InstanceSet idle = start(SERVE);
    // Past its start-up, which takes longer on a loaded machine: the quietest of a few windows.
    double quietest = Double.MAX_VALUE;
    for (int i = 0; i < 8 && quietest >= 0.1; i++) {
      quietest = Math.min(quietest, coresOver(idle, Duration.ofMillis(1500)));
    }
    assertThat(quietest).isLessThan(0.1);
  }
}
