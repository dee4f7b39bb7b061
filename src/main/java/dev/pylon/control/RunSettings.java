package dev.pylon.control;

import dev.pylon.spec.ServiceSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** What {@code pylon run} serves (the spec read from the folder) and how (its flags). */
public record RunSettings(
    ServiceSpec spec,
    String host,
    int port,
    Optional<Integer> instances,
    boolean systemSitePackages,
    Optional<String> preStart,
    Duration grace,
    Duration startTimeout,
    Path stateDir) {}
