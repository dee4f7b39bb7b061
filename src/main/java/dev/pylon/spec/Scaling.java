package dev.pylon.spec;

import java.time.Duration;

/**
 * How many instances the autoscaler may run, and what it aims for.
 *
 * @param minInstances never fewer (0 allows scale to zero)
 * @param maxInstances never more
 * @param targetConcurrency in-flight requests per instance the autoscaler aims for
 * @param targetUtilization fraction of {@code targetConcurrency} to aim for (0 to 1]
 * @param coolDown how long a new instance runs before its load counts (App Engine's {@code
 *     cool_down_period_sec}); also the delay before scaling down
 * @param decidedBy which file decided, in words
 */
public record Scaling(
    int minInstances,
    int maxInstances,
    double targetConcurrency,
    double targetUtilization,
    Duration coolDown,
    String decidedBy) {}
