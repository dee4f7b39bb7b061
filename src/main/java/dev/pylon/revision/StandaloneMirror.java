package dev.pylon.revision;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Where python-build-standalone builds come from: a base address laid out like that project's
 * GitHub releases ({@code BASE/RELEASE/SHA256SUMS} and {@code BASE/RELEASE/ASSET}), the release to
 * take them from, and this machine's target triple.
 *
 * @param base {@code https://github.com/astral-sh/python-build-standalone/releases/download}, or a
 *     mirror ({@code PYLON_PYTHON_MIRROR}, also {@code file:///srv/pythons})
 * @param release a release tag such as {@code 20260610} ({@code PYLON_PYTHON_RELEASE})
 * @param triple for example {@code x86_64-unknown-linux-gnu}; empty on a machine there are no
 *     builds for
 */
public record StandaloneMirror(URI base, String release, Optional<String> triple) {
  /** The project's own releases; uv's {@code UV_PYTHON_INSTALL_MIRROR} replaces the same prefix. */
  public static final String GITHUB =
      "https://github.com/astral-sh/python-build-standalone/releases/download";

  /**
   * A release that has builds of 3.9 to 3.14 for Linux and macOS. Pinned, as uv pins its own list,
   * so the same request installs the same build until someone moves it on purpose.
   */
  public static final String DEFAULT_RELEASE = "20260610";

  public StandaloneMirror {
    String b = base.toString();
    base = URI.create(b.endsWith("/") ? b.substring(0, b.length() - 1) : b);
  }

  /** From {@code PYLON_PYTHON_MIRROR} and {@code PYLON_PYTHON_RELEASE}, with their defaults. */
  public static StandaloneMirror fromEnvironment(Map<String, String> env) {
    String base = env.getOrDefault("PYLON_PYTHON_MIRROR", "").strip();
    String release = env.getOrDefault("PYLON_PYTHON_RELEASE", "").strip();
    return new StandaloneMirror(
        URI.create(base.isEmpty() ? GITHUB : base),
        release.isEmpty() ? DEFAULT_RELEASE : release,
        thisMachine(System.getProperty("os.name"), System.getProperty("os.arch")));
  }

  /** The target triple of python-build-standalone's builds for an OS and CPU as Java names them. */
  static Optional<String> thisMachine(String osName, String osArch) {
    String arch =
        switch (osArch.toLowerCase(Locale.ROOT)) {
          case "amd64", "x86_64" -> "x86_64";
          case "aarch64", "arm64" -> "aarch64";
          default -> null;
        };
    if (arch == null) {
      return Optional.empty();
    }
    String os = osName.toLowerCase(Locale.ROOT);
    if (os.startsWith("linux")) {
      boolean musl =
          Files.exists(Path.of("/lib/ld-musl-" + arch + ".so.1"))
              && !Files.exists(Path.of("/lib64/ld-linux-x86-64.so.2"))
              && !Files.exists(Path.of("/lib/ld-linux-aarch64.so.1"));
      return Optional.of(arch + "-unknown-linux-" + (musl ? "musl" : "gnu"));
    }
    if (os.startsWith("mac")) {
      return Optional.of(arch + "-apple-darwin");
    }
    return Optional.empty();
  }

  /** The checksum file of the release, which also lists every build in it. */
  URI checksums() {
    return URI.create(base + "/" + release + "/SHA256SUMS");
  }

  /** One archive of the release. The {@code +} is escaped, as object stores read it as a space. */
  URI asset(String name) {
    return URI.create(base + "/" + release + "/" + name.replace("+", "%2B"));
  }

  /** For messages: "python-build-standalone 20260610 (https://...)". */
  String describe() {
    return "python-build-standalone " + release + " (" + base + ")";
  }
}
