package dev.pylon.control;

import dev.pylon.spec.ContainerEngine;
import java.util.Optional;

/**
 * {@code pylon run --container}: each instance is a container of the revision's image.
 *
 * @param engine the engine that runs them (podman or docker)
 * @param image the image to run; empty: build it first, as {@code pylon build --image} does
 */
public record ContainerMode(ContainerEngine engine, Optional<String> image) {}
