package dev.pylon.spec;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Which downloadable build answers a request: the newest that matches; for a request of one patch
 * release that no build has, the newest of its line, as buildpacks do with installed patches.
 *
 * @param version the build to install
 * @param otherPatch set when the request named another patch release of the same line
 */
record DownloadChoice(PythonVersion version, boolean otherPatch) {

  static Optional<DownloadChoice> of(PythonRequest request, List<PythonVersion> available) {
    Optional<PythonVersion> matching = newest(request, available);
    if (matching.isPresent()) {
      return Optional.of(new DownloadChoice(matching.get(), false));
    }
    return request
        .patchRelaxed()
        .flatMap(line -> newest(line, available))
        .map(v -> new DownloadChoice(v, true));
  }

  private static Optional<PythonVersion> newest(
      PythonRequest request, List<PythonVersion> available) {
    return available.stream().filter(request::matches).max(Comparator.naturalOrder());
  }
}
