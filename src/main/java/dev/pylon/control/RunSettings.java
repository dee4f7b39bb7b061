package dev.pylon.control;

import dev.pylon.spec.SpecOverrides;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Everything {@code pylon run} was told on its command line. */
public record RunSettings(
    Path appDir,
    String host,
    int port,
    Optional<Integer> instances,
    SpecOverrides overrides,
    boolean systemSitePackages,
    Duration grace,
    Duration startTimeout,
    Path stateDir) {}
