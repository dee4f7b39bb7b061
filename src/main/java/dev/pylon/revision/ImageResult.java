package dev.pylon.revision;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** How {@code pylon build --image} ended. */
public sealed interface ImageResult {
  /**
   * The image exists in the engine's store.
   *
   * @param image the name it is tagged with
   * @param id the engine's image id
   * @param sizeBytes its size as the engine reports it, or -1 when the engine does not say
   * @param steps the Dockerfile's steps the engine ran
   * @param cachedSteps how many of them it took from its layer cache
   * @param took the whole build, context staging included
   * @param savedTo the OCI archive written, when one was asked for
   */
  record Built(
      String image,
      String id,
      long sizeBytes,
      int steps,
      int cachedSteps,
      Duration took,
      Optional<Path> savedTo)
      implements ImageResult {}

  /**
   * The build or the save failed; what served before is untouched.
   *
   * @param message what failed and what to do
   * @param outputTail the engine's last lines
   */
  record Failed(String message, List<String> outputTail) implements ImageResult {
    public Failed {
      outputTail = List.copyOf(outputTail);
    }
  }
}
