package dev.pylon.control;

import dev.pylon.spec.ServiceSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * What {@code pylon run} serves (the spec read from the folder) and how (its flags).
 *
 * @param startTimeout how long an instance may take to get ready; empty: the spec's
 * @param memoryMiB a memory limit per instance; empty: the spec's, if any
 * @param cpuLimit cores each instance may use; empty: no limit
 * @param container run each instance as a container of the revision's image; empty: as a process
 */
public record RunSettings(
    ServiceSpec spec,
    String host,
    int port,
    Optional<Integer> instances,
    boolean systemSitePackages,
    Optional<String> preStart,
    Duration grace,
    Optional<Duration> startTimeout,
    OptionalLong memoryMiB,
    OptionalDouble cpuLimit,
    boolean sandbox,
    RouterSettings router,
    Path stateDir,
    Optional<ContainerMode> container) {}
