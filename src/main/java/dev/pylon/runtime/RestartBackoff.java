package dev.pylon.runtime;

import java.time.Duration;
import java.time.Instant;

/**
 * The delay before restarting an instance that exited: {@code initial}, doubling after each exit up
 * to {@code max}, back to {@code initial} once a run lasted {@code resetAfter} (Kubernetes'
 * CrashLoopBackOff shape). Pure: time comes in as arguments, so it is tested with a fake clock. Not
 * thread-safe; each instance owns one.
 */
public final class RestartBackoff {
  /**
   * @param initial delay after the first exit (1 s)
   * @param max the longest delay (5 min)
   * @param resetAfter a run at least this long counts as healthy and resets the delay (1 min)
   */
  public record Policy(Duration initial, Duration max, Duration resetAfter) {
    public static Policy defaults() {
      return new Policy(Duration.ofSeconds(1), Duration.ofMinutes(5), Duration.ofMinutes(1));
    }
  }

  private final Policy policy;
  private Duration next;
  private int failuresInARow;

  public RestartBackoff(Policy policy) {
    this.policy = policy;
    this.next = policy.initial();
  }

  /** Records a run from {@code startedAt} to {@code exitedAt}; returns the delay to wait. */
  public Duration delayAfterExit(Instant startedAt, Instant exitedAt) {
    if (Duration.between(startedAt, exitedAt).compareTo(policy.resetAfter()) >= 0) {
      next = policy.initial();
      failuresInARow = 0;
    }
    Duration delay = next;
    Duration doubled = next.multipliedBy(2);
    next = doubled.compareTo(policy.max()) > 0 ? policy.max() : doubled;
    failuresInARow++;
    return delay;
  }

  /** Exits in a row that came before the instance had stayed up for {@code resetAfter}. */
  public int failuresInARow() {
    return failuresInARow;
  }
}
