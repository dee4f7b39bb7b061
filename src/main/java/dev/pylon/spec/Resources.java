package dev.pylon.spec;

import java.util.OptionalLong;

/**
 * What each instance may use.
 *
 * @param cpu cores per instance (informational on one machine)
 * @param memoryMb memory limit per instance in MiB, enforced where the host allows; empty means no
 *     limit
 * @param diskGb disk per instance in GB (informational on one machine)
 * @param decidedBy which file decided, in words
 */
public record Resources(double cpu, OptionalLong memoryMb, double diskGb, String decidedBy) {}
