package dev.pylon.spec;

import java.time.Duration;

/**
 * Requests per instance, and how long each may take.
 *
 * @param maxPerInstance hard cap of in-flight requests per instance (Knative {@code
 *     containerConcurrency}); the router queues beyond it; 0 means no cap
 * @param requestTimeout a request still running after this long is answered with 504
 * @param decidedBy which file decided, in words
 */
public record Concurrency(int maxPerInstance, Duration requestTimeout, String decidedBy) {}
