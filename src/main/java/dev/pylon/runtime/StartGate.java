package dev.pylon.runtime;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What {@link InstanceSet#awaitFirstReady} waits for: the first instance ready, every instance of
 * the first start failed, the set stopped, or the time up. Thread-safe.
 */
final class StartGate {
  private final int initialCount;
  private String firstReady;
  private final Map<String, StartOutcome> firstStartFailures = new LinkedHashMap<>();
  private boolean stopped;

  StartGate(int initialCount) {
    this.initialCount = initialCount;
  }

  synchronized void ready(String instance) {
    if (firstReady == null) {
      firstReady = instance;
      notifyAll();
    }
  }

  synchronized void failed(String instance, String detail, int status, List<String> lastLines) {
    firstStartFailures.putIfAbsent(
        instance,
        new StartOutcome(StartOutcome.Result.FAILED, instance, detail, status, lastLines));
    notifyAll();
  }

  synchronized void stopped() {
    stopped = true;
    notifyAll();
  }

  synchronized StartOutcome await(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (firstReady != null) {
        return new StartOutcome(StartOutcome.Result.READY, firstReady, "ready", -1, List.of());
      }
      if (firstStartFailures.size() == initialCount) {
        if (initialCount == 0) {
          return new StartOutcome(
              StartOutcome.Result.FAILED, "", "there are no instances to start", -1, List.of());
        }
        return firstStartFailures.values().iterator().next();
      }
      if (stopped) {
        return new StartOutcome(
            StartOutcome.Result.FAILED, "", "stopped before any instance was ready", -1, List.of());
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return new StartOutcome(
            StartOutcome.Result.TIMED_OUT,
            "",
            "no instance was ready after " + InstanceLifecycle.describe(timeout),
            -1,
            List.of());
      }
      try {
        TimeUnit.NANOSECONDS.timedWait(this, left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new StartOutcome(
            StartOutcome.Result.TIMED_OUT, "", "interrupted while waiting", -1, List.of());
      }
    }
  }
}
