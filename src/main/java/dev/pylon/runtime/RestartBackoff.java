package dev.pylon.runtime;

import java.time.Duration;
import java.time.Instant;

/**
 * The delay before restarting an instance that exited: {@code initial}, doubling after each exit up
 * to {@code max}, back to {@code initial} once a run lasted {@code resetAfter} (Kubernetes'
 * CrashLoopBackOff shape). Pure: time comes in as arguments, so it is tested with a fake clock. The
 * rule is {@link State#afterExit}; this class keeps one instance's state for callers that want an
 * object. Not thread-safe.
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

  /**
   * One instance's back-off as a value.
   *
   * @param next the delay the next exit gets
   * @param failuresInARow exits in a row that came before a run lasted {@code resetAfter}
   * @param delay the delay the last exit got (zero before any)
   */
  public record State(Duration next, int failuresInARow, Duration delay) {
    public static State start(Policy policy) {
      return new State(policy.initial(), 0, Duration.ZERO);
    }

    /** The state after a run from {@code startedAt} to {@code exitedAt}. */
    public State afterExit(Policy policy, Instant startedAt, Instant exitedAt) {
      Duration wait = next;
      int inARow = failuresInARow;
      if (Duration.between(startedAt, exitedAt).compareTo(policy.resetAfter()) >= 0) {
        wait = policy.initial();
        inARow = 0;
      }
      Duration doubled = wait.multipliedBy(2);
      return new State(
          doubled.compareTo(policy.max()) > 0 ? policy.max() : doubled, inARow + 1, wait);
    }
  }

  private final Policy policy;
  private State state;

  public RestartBackoff(Policy policy) {
    this.policy = policy;
    this.state = State.start(policy);
  }

  /** Records a run from {@code startedAt} to {@code exitedAt}; returns the delay to wait. */
  public Duration delayAfterExit(Instant startedAt, Instant exitedAt) {
    state = state.afterExit(policy, startedAt, exitedAt);
    return state.delay();
  }

  /** Exits in a row that came before the instance had stayed up for {@code resetAfter}. */
  public int failuresInARow() {
    return state.failuresInARow();
  }
}
