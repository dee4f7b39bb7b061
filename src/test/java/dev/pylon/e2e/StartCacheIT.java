package dev.pylon.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's JVM start-up cache, through the real {@code ./pylon} on a copy of the jar (so the
 * cache it makes is this test's own): a command prints exactly what it prints without a cache when
 * the cache is missing (and is then made in the background), used, corrupt, or stale (made for
 * another jar), and {@code PYLON_AOT=0} makes none.
 */
class StartCacheIT {
  private static final Duration TRAINING = Duration.ofMinutes(6);
  @TempDir Path root;

  @Test
  void aMissingCorruptOrStaleCacheNeverChangesWhatACommandPrints() throws Exception {
    Path jar = layOut();
    String expected = run(Map.of("PYLON_AOT", "0"), "--version");
    assertThat(expected).startsWith("pylon ").contains("Java ");
    assertThat(startFiles()).as("PYLON_AOT=0 makes no cache").isEmpty();

    assertThat(run(Map.of(), "--version")).as("no cache yet").isEqualTo(expected);
    Path cache = awaitCache();
    assertThat(run(Map.of(), "--version")).as("with the cache").isEqualTo(expected);
    assertThat(run(Map.of("PYLON_JAVA_OPTS", "-Xlog:class+load"), "--version"))
        .as("the cache is used")
        .contains("dev.pylon.cli.Main source: shared objects file")
        // picocli's own class files are Java 5 ones, which the cache would leave out; the build
        // rewrites them (OldClassFileUpgrade) so that they are in it too.
        .contains("picocli.CommandLine source: shared objects file");
    byte[] good = Files.readAllBytes(cache);

    Files.write(cache, "not a cache at all".repeat(100).getBytes(StandardCharsets.UTF_8));
    assertThat(run(Map.of(), "--version")).as("corrupt").isEqualTo(expected);
    Files.write(cache, java.util.Arrays.copyOf(good, good.length / 3));
    assertThat(run(Map.of(), "--version")).as("truncated").isEqualTo(expected);
    assertThat(run(Map.of(), "inspect", "--help")).as("truncated").contains("Usage: pylon inspect");

    // Stale: the jar changed since (a new modification time), yet a cache made for the old one
    // sits under the new jar's name. The JVM checks the jar itself and ignores the cache.
    Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(3600)));
    Path stale = root.resolve("target").resolve(cacheName(jar));
    Files.write(stale, good);
    assertThat(run(Map.of(), "--version")).as("stale").isEqualTo(expected);
    assertThat(noTrainingLeft()).isTrue();
  }

  /** pylon, scripts/find-jdk and target/pylon.jar, as in a checkout with the jar built. */
  private Path layOut() throws IOException {
    Path source = PylonProcess.sourceRoot();
    Files.createDirectories(root.resolve("scripts"));
    Files.createDirectories(root.resolve("target"));
    for (String file : List.of("pylon", "scripts/find-jdk")) {
      Files.copy(source.resolve(file), root.resolve(file), StandardCopyOption.COPY_ATTRIBUTES);
    }
    Path jar = root.resolve("target/pylon.jar");
    Files.copy(source.resolve("target/pylon.jar"), jar);
    return jar;
  }

  private String run(Map<String, String> env, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(root.resolve("pylon").toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().remove("PYLON_JAVA_OPTS");
    builder.environment().remove("PYLON_AOT");
    builder.environment().putAll(env);
    builder.directory(root.toFile());
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    return output;
  }

  private List<Path> startFiles() throws IOException {
    try (Stream<Path> files = Files.list(root.resolve("target"))) {
      return files.filter(p -> p.getFileName().toString().startsWith("pylon-start-")).toList();
    }
  }

  private Path awaitCache() throws Exception {
    Instant deadline = Instant.now().plus(TRAINING);
    while (Instant.now().isBefore(deadline)) {
      Optional<Path> cache =
          startFiles().stream()
              .filter(p -> p.toString().endsWith(".aot") || p.toString().endsWith(".jsa"))
              .findFirst();
      if (cache.isPresent() && noTrainingLeft()) {
        return cache.get();
      }
      Thread.sleep(500);
    }
    throw new AssertionError(
        "no start-up cache after " + TRAINING + "; files: " + startFiles() + "\n" + log());
  }

  private boolean noTrainingLeft() throws Exception {
    Instant deadline = Instant.now().plus(TRAINING);
    while (startFiles().stream().anyMatch(p -> p.toString().endsWith(".lock"))) {
      if (Instant.now().isAfter(deadline)) {
        return false;
      }
      Thread.sleep(500);
    }
    return true;
  }

  private String log() throws IOException {
    StringBuilder text = new StringBuilder();
    for (Path p : startFiles()) {
      if (p.toString().endsWith(".log")) {
        text.append(Files.readString(p));
      }
    }
    return text.toString();
  }

  /** The name the launcher gives the cache of this jar: JDK version, size, mtime, inode. */
  private static String cacheName(Path jar) throws IOException {
    Path javaHome = Path.of(System.getProperty("java.home"));
    String version =
        Files.readAllLines(javaHome.resolve("release")).stream()
            .filter(l -> l.startsWith("JAVA_VERSION="))
            .map(l -> l.substring("JAVA_VERSION=".length()).replace("\"", ""))
            .findFirst()
            .orElseThrow();
    long size = Files.size(jar);
    long mtime = Files.getLastModifiedTime(jar).to(TimeUnit.SECONDS);
    Object inode = Files.getAttribute(jar, "unix:ino");
    int major = Runtime.version().feature();
    return "pylon-start-"
        + version
        + "-"
        + size
        + "-"
        + mtime
        + "-"
        + inode
        + (major >= 25 ? ".aot" : ".jsa");
  }
}
