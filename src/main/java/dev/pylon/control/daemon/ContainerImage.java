package dev.pylon.control.daemon;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A revision whose instances are containers ({@code pylon deploy --container}): the image made (or
 * named) at deploy time and the engine found then, kept in the launch plan so a restarted daemon
 * runs the same image without building it again.
 *
 * @param engine podman's (or docker's) program
 * @param image the image, in the engine's store
 */
public record ContainerImage(Path engine, String image) {
  public ContainerImage {
    Objects.requireNonNull(engine, "engine");
    Objects.requireNonNull(image, "image");
  }
}
