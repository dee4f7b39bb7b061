package dev.pylon.control.daemon;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** The daemon settings in-process tests start from: loopback, free ports, short grace. */
final class TestDaemons {
  private TestDaemons() {}

  /** Router and admin API on free loopback ports, no default service, 2 s grace, 30 s start. */
  static DaemonSettings settings(Path state) {
    return new DaemonSettings(
        state, "127.0.0.1", 0, 0, Optional.empty(), Duration.ofSeconds(2), Duration.ofSeconds(30));
  }
}
