package dev.pylon.revision;

import java.time.Duration;

/**
 * One step of a build in the summary.
 *
 * @param name what the step does, for example "environment"
 * @param took how long it took
 * @param outcome "built", "reused" (a cache hit), "skipped", "done" or "failed"
 */
public record StepTiming(String name, Duration took, String outcome) {}
