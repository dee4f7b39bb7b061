package dev.pylon.control;

import dev.pylon.export.Exporter;
import dev.pylon.revision.BuildProgress;
import dev.pylon.revision.ImageBuilder;
import dev.pylon.revision.ImageRequest;
import dev.pylon.revision.ImageResult;
import dev.pylon.spec.ContainerEngine;
import dev.pylon.spec.ServiceSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * {@code pylon run --container} and {@code pylon deploy --container}: each instance is a container
 * of the revision's image.
 *
 * @param engine the engine that runs them (podman or docker)
 * @param image the image to run; empty: build it first, as {@code pylon build --image} does
 */
public record ContainerMode(ContainerEngine engine, Optional<String> image) {
  /** What a host without an engine is told, by {@code pylon run} and the daemon alike. */
  public static final String NO_ENGINE =
      "--container needs podman or docker, and neither is on PATH: apt-get"
          + " install podman uidmap fuse-overlayfs (Debian/Ubuntu)";

  /** The engine on {@code path} (podman first, then docker), as {@code --container} uses it. */
  public static Optional<ContainerEngine> findEngine(String path) {
    return ContainerEngine.find(
        path, List.of(ContainerEngine.Kind.PODMAN, ContainerEngine.Kind.DOCKER));
  }

  /**
   * The image the instances run: the one named, or one built now from the Dockerfile {@code pylon
   * build --dockerfile} writes, with the build's lines to {@code progress}.
   */
  public String image(ServiceSpec spec, Path stateDir, BuildProgress progress) throws RunFailure {
    if (image.isPresent()) {
      return image.get();
    }
    ImageResult result;
    try {
      result =
          new ImageBuilder(engine, stateDir, progress)
              .build(
                  new ImageRequest(
                      spec.name(),
                      spec.sourceDir(),
                      new Exporter().dockerfile(spec).files(),
                      Optional.empty(),
                      Optional.empty(),
                      Optional.empty()));
    } catch (IOException e) {
      throw new RunFailure("cannot build the image: " + e.getMessage(), 1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RunFailure("interrupted while building the image", 1);
    }
    return switch (result) {
      case ImageResult.Built built -> built.image();
      case ImageResult.Failed failed ->
          throw new RunFailure(
              failed.message() + "\n    " + String.join("\n    ", failed.outputTail()), 1);
    };
  }
}
