package dev.pylon.revision;

import dev.pylon.spec.ContainerEngine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Builds a service's container image with the host's engine (podman, buildah or docker) from the
 * Dockerfile Pylon writes, and optionally saves it as an OCI archive.
 *
 * <p>The build context is staged under the state directory: the app's files as a revision snapshot
 * takes them (through the same ignore file), plus the build files. The app folder itself is never
 * written. The Dockerfile copies the dependency files and installs them before it copies the code,
 * so after a code-only change the engine reuses every layer up to the code's.
 */
public final class ImageBuilder {
  /** The build's own name for the Dockerfile in the staged context. */
  static final String DOCKERFILE = "Dockerfile";

  private final ContainerEngine engine;
  private final Path stateDir;
  private final BuildProgress progress;
  private final CommandRunner runner = new CommandRunner(Map.of(), 30);

  public ImageBuilder(ContainerEngine engine, Path stateDir, BuildProgress progress) {
    this.engine = engine;
    this.stateDir = stateDir;
    this.progress = progress;
  }

  /** Builds {@code request}; interrupted, the engine is stopped and the interrupt passed on. */
  public ImageResult build(ImageRequest request) throws IOException, InterruptedException {
    long started = System.nanoTime();
    if (request.base().isPresent() && engine.kind() == ContainerEngine.Kind.DOCKER) {
      return new ImageResult.Failed(
          "--base needs podman or buildah (their build --from replaces the Dockerfile's FROM);"
              + " docker build has no such option: edit the FROM line of the Dockerfile"
              + " `pylon build --dockerfile` writes instead",
          List.of());
    }
    Path contexts = Files.createDirectories(stateDir.resolve("image-contexts"));
    Path context = Files.createTempDirectory(contexts, request.service() + "-");
    try {
      SourceFiles files = SourceFiles.of(request.appDir(), stateDir);
      files.copyTo(context);
      List<String> identity = new ArrayList<>();
      for (Map.Entry<String, String> file : new TreeMap<>(request.buildFiles()).entrySet()) {
        Path target = context.resolve(file.getKey());
        Files.deleteIfExists(target);
        Files.writeString(target, file.getValue(), StandardCharsets.UTF_8);
        identity.add(file.getKey());
        identity.add(file.getValue());
      }
      request.base().ifPresent(b -> identity.add("base=" + b));
      String image =
          request
              .image()
              .orElseGet(() -> defaultImage(request.service(), hashOrEmpty(files, identity)));
      progress.step("building the image " + image + " with " + engine.describe());
      AtomicInteger steps = new AtomicInteger();
      AtomicInteger cached = new AtomicInteger();
      CommandResult built =
          runner.run(
              buildCommand(context, image, request.base()),
              context,
              Map.of(),
              line -> {
                if (line.startsWith("STEP ") || line.matches("^Step \\d+/\\d+ :.*")) {
                  steps.incrementAndGet();
                } else if (line.contains("Using cache") || line.contains("CACHED")) {
                  cached.incrementAndGet();
                }
                progress.line(line);
              });
      if (!built.succeeded()) {
        return new ImageResult.Failed(
            engine.kind().program()
                + " build of "
                + image
                + " failed (exit "
                + built.exitCode()
                + "); its last lines are above. A Dockerfile step that needs the network"
                + " (pip, apt-get) fails where no index or mirror can be reached: point pip at"
                + " a mirror (PIP_INDEX_URL) or use --base with an image that already has the"
                + " dependencies",
            built.outputTail());
      }
      String id = query(List.of("image", "inspect", "--format", "{{.Id}}", image)).orElse("");
      long size =
          query(List.of("image", "inspect", "--format", "{{.Size}}", image))
              .flatMap(ImageBuilder::parseLong)
              .orElse(-1L);
      Optional<Path> saved = Optional.empty();
      if (request.saveTo().isPresent()) {
        Path archive = request.saveTo().get().toAbsolutePath();
        progress.step("saving " + image + " to " + archive + " (OCI archive)");
        Files.deleteIfExists(archive);
        CommandResult save =
            runner.run(saveCommand(image, archive), context, Map.of(), progress::line);
        if (!save.succeeded()) {
          return new ImageResult.Failed(
              "saving " + image + " to " + archive + " failed (exit " + save.exitCode() + ")",
              save.outputTail());
        }
        saved = Optional.of(archive);
      }
      return new ImageResult.Built(
          image,
          id,
          size,
          steps.get(),
          cached.get(),
          Duration.ofNanos(System.nanoTime() - started),
          saved);
    } finally {
      FileTrees.deleteRecursively(context);
    }
  }

  /** {@code localhost/NAME:HASH}: the same context and Dockerfile give the same name. */
  static String defaultImage(String service, String hash) {
    return "localhost/" + service + ":" + (hash.isEmpty() ? "latest" : hash.substring(0, 12));
  }

  private static String hashOrEmpty(SourceFiles files, List<String> identity) {
    try {
      return files.contentHash(identity);
    } catch (IOException e) {
      return "";
    }
  }

  List<String> buildCommand(Path context, String image, Optional<String> base) {
    List<String> command = new ArrayList<>();
    command.add(engine.executable().toString());
    switch (engine.kind()) {
      case PODMAN, BUILDAH -> {
        command.addAll(List.of("build", "--layers"));
        // The host's network: a build's RUN apt-get or pip reaches what the host reaches, and
        // rootless or netavark-less hosts need no bridge.
        command.add("--network=host");
        base.ifPresent(b -> command.add("--from=" + b));
      }
      case DOCKER -> command.addAll(List.of("build", "--network=host"));
    }
    command.addAll(List.of("-t", image, "-f", context.resolve(DOCKERFILE).toString()));
    command.add(context.toString());
    return command;
  }

  private List<String> saveCommand(String image, Path archive) {
    String program = engine.executable().toString();
    return switch (engine.kind()) {
      case PODMAN ->
          List.of(program, "save", "--format", "oci-archive", "-o", archive.toString(), image);
      case BUILDAH -> List.of(program, "push", image, "oci-archive:" + archive + ":" + image);
      // Docker 25 and newer write an OCI image layout inside the tar; older ones their own format.
      case DOCKER -> List.of(program, "save", "-o", archive.toString(), image);
    };
  }

  private Optional<String> query(List<String> args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(engine.executable().toString());
    if (engine.kind() == ContainerEngine.Kind.BUILDAH) {
      // buildah inspect --type image prints the same fields under other names; its size is not one.
      if (args.contains("{{.Size}}")) {
        return Optional.empty();
      }
      command.addAll(List.of("inspect", "--type", "image", "--format", "{{.FromImageID}}"));
      command.add(args.get(args.size() - 1));
    } else {
      command.addAll(args);
    }
    List<String> out = new ArrayList<>();
    CommandResult result = runner.run(command, stateDir, Map.of(), out::add);
    if (!result.succeeded() || out.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(out.get(out.size() - 1).strip());
  }

  private static Optional<Long> parseLong(String text) {
    try {
      return Optional.of(Long.parseLong(text));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
