package dev.pylon.spec;

import java.time.Duration;
import java.util.Optional;

/**
 * A health check on one instance.
 *
 * @param httpPath the path to GET; empty means "the port accepts a TCP connection"
 * @param initialDelay wait this long after start before the first check
 * @param period time between checks
 * @param timeout a check slower than this fails
 * @param failureThreshold consecutive failures before acting
 * @param successThreshold consecutive successes before counting as healthy again
 * @param startTimeout the instance must pass within this time after start, or it is replaced
 * @param decidedBy which file decided, in words
 */
public record Probe(
    Optional<String> httpPath,
    Duration initialDelay,
    Duration period,
    Duration timeout,
    int failureThreshold,
    int successThreshold,
    Duration startTimeout,
    String decidedBy) {

  /** {@code GET /path} or {@code TCP connect}, for reports. */
  public String describe() {
    return httpPath.map(p -> "GET " + p).orElse("TCP connect");
  }
}
