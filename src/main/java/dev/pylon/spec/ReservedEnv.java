package dev.pylon.spec;

import java.util.Set;

/** Environment variables Pylon sets for every instance; a service cannot set them itself. */
final class ReservedEnv {
  private ReservedEnv() {}

  static final Set<String> NAMES =
      Set.of(
          "PORT",
          "K_SERVICE",
          "K_REVISION",
          "K_CONFIGURATION",
          "GAE_SERVICE",
          "GAE_VERSION",
          "GAE_INSTANCE",
          "GAE_MEMORY_MB",
          "GCE_METADATA_HOST");

  static boolean isReserved(String name) {
    return NAMES.contains(name);
  }
}
