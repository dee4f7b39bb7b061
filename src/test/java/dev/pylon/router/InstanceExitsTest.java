package dev.pylon.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A request that lost its instance asks whether it exited, on its own event loop. */
class InstanceExitsTest {
  private final EmbeddedChannel loop = new EmbeddedChannel();
  private final InstanceExits exits = new InstanceExits();
  private final List<String> answers = new ArrayList<>();

  @Test
  void anExitReportedAfterTheRequestAskedAnswersAtOnce() {
    loop.freezeTime();
    long sent = System.nanoTime();
    exits.await("web-2", sent, loop.eventLoop(), answers::add);
    assertThat(answers).isEmpty();
    exits.exited("web-2", "instance web-2 exited with status 3");
    loop.runPendingTasks();
    assertThat(answers).containsExactly("instance web-2 exited with status 3");
    loop.advanceTimeBy(2, TimeUnit.SECONDS);
    loop.runScheduledPendingTasks();
    assertThat(answers).hasSize(1); // once
  }

  @Test
  void anExitAlreadyKnownAnswersWithoutWaiting() {
    long sent = System.nanoTime();
    exits.exited("web-2", "instance web-2 killed by signal 9 (KILL)");
    assertThat(exits.since("web-2", sent)).isEqualTo("instance web-2 killed by signal 9 (KILL)");
    exits.await("web-2", sent, loop.eventLoop(), answers::add);
    assertThat(answers).containsExactly("instance web-2 killed by signal 9 (KILL)");
  }

  @Test
  void noWordWithinTheWaitAnswersNull() {
    loop.freezeTime();
    exits.await("web-1", System.nanoTime(), loop.eventLoop(), answers::add);
    exits.exited("web-3", "instance web-3 exited with status 1"); // another instance
    loop.runPendingTasks();
    assertThat(answers).isEmpty();
    loop.advanceTimeBy(InstanceExits.WAIT_NANOS, TimeUnit.NANOSECONDS);
    loop.runScheduledPendingTasks();
    assertThat(answers).containsExactly((String) null);
  }

  @Test
  void anExitBeforeTheRequestWasSentIsNotItsConcern() throws Exception {
    exits.exited("web-2", "instance web-2 exited with status 3");
    Thread.sleep(1);
    assertThat(exits.since("web-2", System.nanoTime())).isNull();
  }
}
