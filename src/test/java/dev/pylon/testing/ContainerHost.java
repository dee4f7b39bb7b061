package dev.pylon.testing;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * What tests that run real containers need from the host: podman, the local base image ({@code
 * scripts/base-image}), and the npm schema models ({@code scripts/kubernetes-models}). A test
 * without them is skipped with the reason and the command that fixes it, unless {@code
 * PYLON_REQUIRE_CONTAINERS=1} (set by {@code .ci/run}), where it fails: CI must run them.
 */
public final class ContainerHost {
  /** The image a Dockerfile's {@code FROM python:3.11-slim} resolves to here. */
  public static final String BASE_IMAGE = "localhost/python:3.11-slim";

  /** The base image with Debian's Flask and gunicorn, for apps whose pip cannot reach an index. */
  public static final String FLASK_BASE_IMAGE = "localhost/pylon-test-debian-flask:bookworm";

  private static final Path PODMAN = Path.of("/usr/bin/podman");

  private ContainerHost() {}

  /** True when CI asked for every container test to run. */
  public static boolean required() {
    return "1".equals(System.getenv("PYLON_REQUIRE_CONTAINERS"));
  }

  /** Skips (or, in CI, fails) the test with {@code reason} unless {@code condition}. */
  public static void assume(boolean condition, String reason) {
    if (condition) {
      return;
    }
    if (required()) {
      fail(reason + " (PYLON_REQUIRE_CONTAINERS=1: this test must run)");
    }
    Assumptions.abort(reason);
  }

  /** Podman and the base image, or a skip saying how to get them. */
  public static void requirePodmanAndBase() throws IOException, InterruptedException {
    assume(
        Files.isExecutable(PODMAN),
        "needs podman: apt-get install podman buildah runc uidmap fuse-overlayfs");
    assume(
        podman(Duration.ofSeconds(60), "image", "exists", BASE_IMAGE).exitCode() == 0,
        "needs the base image " + BASE_IMAGE + ": run scripts/base-image (about 3 min, once)");
  }

  /**
   * {@value #FLASK_BASE_IMAGE}, built once on the base image from Debian's packages (no PyPI is
   * reachable here): pip then finds Flask and gunicorn installed and downloads nothing.
   */
  public static String flaskBase(Path scratch) throws IOException, InterruptedException {
    requirePodmanAndBase();
    if (podman(Duration.ofSeconds(60), "image", "exists", FLASK_BASE_IMAGE).exitCode() == 0) {
      return FLASK_BASE_IMAGE;
    }
    Path dir = Files.createDirectories(scratch.resolve("flask-base"));
    Files.writeString(
        dir.resolve("Containerfile"),
        "FROM "
            + BASE_IMAGE
            + "\nRUN apt-get update -qq && apt-get install -y -qq --no-install-recommends"
            + " python3-flask gunicorn >/dev/null && rm -rf /var/lib/apt/lists/*\n");
    Result built =
        podman(
            Duration.ofMinutes(10),
            "build",
            "--network=host",
            "-t",
            FLASK_BASE_IMAGE,
            dir.toString());
    if (built.exitCode() != 0) {
      fail("building " + FLASK_BASE_IMAGE + " failed:\n" + built.output());
    }
    return FLASK_BASE_IMAGE;
  }

  /** A name no other test run uses: {@code PREFIX-<random hex>}. */
  public static String uniqueName(String prefix) {
    byte[] random = new byte[4];
    ThreadLocalRandom.current().nextBytes(random);
    return prefix + "-" + HexFormat.of().formatHex(random);
  }

  /** How a podman command ended. */
  public record Result(int exitCode, String output, Duration took) {}

  /** Runs {@code podman ARGS} to its end (killed past {@code limit}), output and all. */
  public static Result podman(Duration limit, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(PODMAN.toString());
    command.addAll(List.of(args));
    return run(command, limit);
  }

  /** Runs {@code command} to its end (killed past {@code limit}), output and all. */
  public static Result run(List<String> command, Duration limit)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile("pylon-container-test", ".log");
    try {
      long started = System.nanoTime();
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
              .start();
      boolean ended = process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
      if (!ended) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor();
      }
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      String output = Files.readString(out, StandardCharsets.UTF_8);
      return new Result(ended ? process.exitValue() : -1, output, took);
    } finally {
      Files.deleteIfExists(out);
    }
  }

  /** Removes containers, pods or images a test made; never fails the test. */
  public static void quietly(String... args) {
    try {
      podman(Duration.ofSeconds(60), args);
    } catch (IOException | InterruptedException e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
