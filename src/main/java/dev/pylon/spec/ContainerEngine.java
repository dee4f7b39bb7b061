package dev.pylon.spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A container engine found on this host: what builds a service's image ({@code pylon build
 * --image}) and runs instances as containers ({@code pylon run --container}). Podman first (no
 * daemon, runs as the user), then buildah (builds only), then docker (needs its daemon).
 *
 * @param kind which engine
 * @param executable its program
 */
public record ContainerEngine(Kind kind, Path executable) {
  /** The engines Pylon knows, in the order it looks for them. */
  public enum Kind {
    PODMAN("podman"),
    BUILDAH("buildah"),
    DOCKER("docker");

    private final String program;

    Kind(String program) {
      this.program = program;
    }

    /** The program's name on PATH. */
    public String program() {
      return program;
    }
  }

  /** What to tell a user whose host has none of them. */
  public static final String MISSING =
      "no container engine on PATH (podman, buildah or docker): install podman (Debian/Ubuntu:"
          + " apt-get install podman uidmap fuse-overlayfs; it needs no daemon), or buildah to"
          + " build images only, or start a Docker engine";

  /** Whether it can run containers, not only build images. */
  public boolean runs() {
    return kind != Kind.BUILDAH;
  }

  /** The first engine on {@code pathVariable} (a {@code PATH} value), in {@link Kind} order. */
  public static Optional<ContainerEngine> find(String pathVariable) {
    return find(pathVariable, List.of(Kind.values()));
  }

  /** The first of {@code kinds} on {@code pathVariable}. */
  public static Optional<ContainerEngine> find(String pathVariable, List<Kind> kinds) {
    if (pathVariable == null || pathVariable.isEmpty()) {
      return Optional.empty();
    }
    for (Kind kind : kinds) {
      for (String dir : pathVariable.split(":")) {
        if (dir.isEmpty()) {
          continue;
        }
        Path candidate = Path.of(dir, kind.program());
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return Optional.of(new ContainerEngine(kind, candidate));
        }
      }
    }
    return Optional.empty();
  }

  /** The engine on this process's {@code PATH}. */
  public static Optional<ContainerEngine> onPath() {
    return find(System.getenv("PATH"));
  }

  /** {@code podman (/usr/bin/podman)}. */
  public String describe() {
    return kind.program() + " (" + executable + ")";
  }
}
