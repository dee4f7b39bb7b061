package dev.pylon.revision;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code pylon build --image} builds.
 *
 * @param service the service's name, the image's default repository ({@code localhost/NAME})
 * @param appDir the app folder; its files (less what its ignore file leaves out) are the build
 *     context, as they are a revision's snapshot
 * @param buildFiles files written into the context beside them, by name (the Dockerfile, its {@code
 *     .dockerignore}, Pylon's worker): they replace an app file of the same name
 * @param image the full name to tag, or empty for {@code localhost/NAME:<content hash>}
 * @param base an image that replaces the Dockerfile's first {@code FROM} (a hardened or
 *     pre-provisioned base), or empty to keep it
 * @param saveTo where to write the image as an OCI archive, or empty
 */
public record ImageRequest(
    String service,
    Path appDir,
    Map<String, String> buildFiles,
    Optional<String> image,
    Optional<String> base,
    Optional<Path> saveTo) {
  public ImageRequest {
    buildFiles = Map.copyOf(buildFiles);
  }
}
