package dev.pylon.runtime;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that owns an {@link InstanceSet}'s state: tasks posted or scheduled run on it in
 * order; once it is shut down, new tasks are dropped (after a stop nothing is supervised).
 */
final class SupervisorThread {
  private static final Logger log = LoggerFactory.getLogger(SupervisorThread.class);

  private final ScheduledExecutorService executor;
  private volatile Thread thread;

  SupervisorThread(String name) {
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = Thread.ofPlatform().daemon().name(name).unstarted(r);
              thread = t;
              return t;
            });
  }

  /** Whether the caller is this thread (a listener callback), or it has ended. */
  boolean isCurrentOrEnded() {
    return Thread.currentThread() == thread || executor.isTerminated();
  }

  void post(Runnable task) {
    try {
      executor.execute(guarded(task));
    } catch (RejectedExecutionException stopped) {
      // shut down: nothing is supervised any more
    }
  }

  void schedule(Runnable task, Duration delay) {
    try {
      executor.schedule(guarded(task), delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException stopped) {
      // shut down
    }
  }

  void every(Runnable task, Duration period) {
    executor.scheduleWithFixedDelay(
        guarded(task), period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Runs {@code task} on this thread and waits (10 s at most) for its result. */
  <T> Optional<T> call(Callable<T> task) {
    try {
      return Optional.ofNullable(executor.submit(task).get(10, TimeUnit.SECONDS));
    } catch (RejectedExecutionException | TimeoutException e) {
      return Optional.empty();
    } catch (ExecutionException e) {
      throw new IllegalStateException("supervisor task failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** Stops taking tasks and waits (10 s at most) for the running one; false if interrupted. */
  boolean shutdown() {
    executor.shutdown();
    try {
      executor.awaitTermination(10, TimeUnit.SECONDS);
      return true;
    } catch (InterruptedException e) {
      return false;
    }
  }

  private static Runnable guarded(Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        log.error("supervisor task failed", e);
      }
    };
  }
}
