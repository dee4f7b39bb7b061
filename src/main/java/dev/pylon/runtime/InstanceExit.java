package dev.pylon.runtime;

/**
 * How a started instance ended.
 *
 * @param status its exit status, -1 when it has none
 * @param how in words: "exited with status 3", "killed by signal 9 (KILL)"
 * @param memoryLimitHit whether the kernel killed something of it for its memory limit
 */
public record InstanceExit(int status, String how, boolean memoryLimitHit) {}
