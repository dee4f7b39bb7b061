package dev.pylon.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.pylon.control.BuildSummaries;
import dev.pylon.control.RevisionRequests;
import dev.pylon.export.ExportResult;
import dev.pylon.export.Exporter;
import dev.pylon.revision.BuildProgress;
import dev.pylon.revision.ImageBuilder;
import dev.pylon.revision.ImageRequest;
import dev.pylon.revision.ImageResult;
import dev.pylon.revision.RevisionBuilder;
import dev.pylon.revision.RevisionRequest;
import dev.pylon.revision.RevisionResult;
import dev.pylon.revision.SourceStamp;
import dev.pylon.spec.ContainerEngine;
import dev.pylon.spec.ServiceSpec;
import dev.pylon.spec.SpecAhead;
import dev.pylon.spec.SpecProblem;
import dev.pylon.spec.SpecResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pylon build DIR}: an immutable revision, ready to start, and nothing started. */
@Command(
    name = "build",
    mixinStandardHelpOptions = true,
    description = {
      "Builds DIR into an immutable revision, ready to start.",
      "A revision is a read-only snapshot of the app, a virtualenv from the dependency cache,",
      "bytecode compiled ahead of time, and the pre-start step run once.",
      "With --dockerfile, writes a Dockerfile and .dockerignore for the same app instead;",
      "with --image, builds the container image from that Dockerfile with podman, buildah or",
      "docker (whichever `pylon inspect` names), dependencies in a layer of their own."
    })
final class BuildCommand implements Callable<Integer> {
  @Parameters(
      index = "0",
      arity = "0..1",
      defaultValue = ".",
      description = "App folder (default: .)")
  Path appDir;

  @Option(names = "--quiet", description = "Print only the revision id")
  boolean quiet;

  @Option(names = "--json", description = "Print the build summary as JSON")
  boolean json;

  @Option(
      names = "--dockerfile",
      description = "Write a Dockerfile and .dockerignore into DIR instead of building a revision")
  boolean dockerfile;

  @Option(names = "--force", description = "With --dockerfile: replace files that exist")
  boolean force;

  @Option(
      names = "--image",
      description =
          "Build the container image (from the Dockerfile --dockerfile writes, in a staged"
              + " context: DIR is not written) instead of a revision")
  boolean image;

  @Option(
      names = "--tag",
      paramLabel = "NAME",
      description = "With --image: the image's name (default: localhost/SERVICE:CONTENT_HASH)")
  String tag;

  @Option(
      names = "--base",
      paramLabel = "IMAGE",
      description =
          "With --image: build on IMAGE instead of the Dockerfile's FROM python:X.Y-slim"
              + " (podman or buildah)")
  String base;

  @Option(
      names = "--save",
      paramLabel = "FILE",
      description = "With --image: also write the image to FILE as an OCI archive")
  Path save;

  @Mixin AppOptions appOptions;
  @Mixin StateOptions stateOptions;

  @Override
  public Integer call() throws JsonProcessingException, IOException, InterruptedException {
    Consumer<String> warnings = quiet || json ? line -> {} : System.out::println;
    try (SpecAhead ahead = SpecLoading.ahead(appDir, appOptions, stateOptions.stateDir())) {
      if (dockerfile || image) {
        return writeOrBuildImage(withWarnings(ahead.confirmed(), Set.of(), warnings).spec());
      }
      return report(buildRevision(ahead, warnings));
    }
  }

  private int writeOrBuildImage(ServiceSpec spec)
      throws IOException, InterruptedException, JsonProcessingException {
    if (dockerfile) {
      ExportWriting.write(spec.sourceDir(), new Exporter().dockerfile(spec), force, System.out);
      return 0;
    }
    return buildImage(spec, progress());
  }

  private BuildProgress progress() {
    return quiet || json ? BuildProgress.SILENT : new PrintingBuildProgress();
  }

  /**
   * Builds the revision, beside the app probe when it is importing the changed app again: the copy
   * and bytecode do not depend on its answer. The work stands when the answer is the one assumed
   * and nothing the copy took changed meanwhile (an app may write into its own folder when
   * imported); otherwise the revision is built again, after the probe, from the fresh spec.
   */
  private RevisionResult buildRevision(SpecAhead ahead, Consumer<String> warnings)
      throws IOException {
    if (tag != null || base != null || save != null) {
      throw new UserError("--tag, --base and --save go with --image: pylon build DIR --image", 2);
    }
    SpecResult.Loaded assumed = withWarnings(ahead.result(), Set.of(), warnings);
    BuildProgress progress = progress();
    RevisionBuilder builder = new RevisionBuilder(stateOptions.stateDir(), progress);
    if (ahead.isSettled()) {
      return builder.build(request(assumed.spec()));
    }
    Path sourceDir = assumed.spec().sourceDir();
    SourceStamp before = SourceStamp.of(sourceDir, stateOptions.stateDir());
    RevisionResult result = builder.build(request(assumed.spec()));
    SpecResult confirmed = ahead.confirmed();
    boolean sameAnswer = confirmed == ahead.result();
    if (sameAnswer
        && (result instanceof RevisionResult.Failed
            || SourceStamp.of(sourceDir, stateOptions.stateDir()).equals(before))) {
      return result;
    }
    Set<String> shown = new HashSet<>();
    assumed.warnings().forEach(w -> shown.add(w.render()));
    ServiceSpec spec = withWarnings(confirmed, shown, warnings).spec();
    progress.step(
        sameAnswer
            ? "Files of the app changed while they were copied (by its import?); building again"
            : "Importing the app found it changed since it was last imported; building again");
    return builder.build(request(spec));
  }

  private RevisionRequest request(ServiceSpec spec) {
    return RevisionRequests.of(spec, appOptions.systemSitePackages, appOptions.preStart());
  }

  /** The spec (or the UserError listing its problems), its warnings not yet shown printed. */
  private SpecResult.Loaded withWarnings(
      SpecResult result, Set<String> shown, Consumer<String> warnings) {
    SpecResult.Loaded loaded = SpecLoading.loaded(appDir, result);
    loaded.warnings().stream()
        .map(SpecProblem::render)
        .filter(line -> !shown.contains(line))
        .forEach(line -> warnings.accept("pylon: warning: " + line));
    return loaded;
  }

  private int report(RevisionResult result) throws JsonProcessingException {
    if (json) {
      Map<String, Object> out = new LinkedHashMap<>(result.summary().toJsonMap());
      out.put("ok", result instanceof RevisionResult.Built);
      if (result instanceof RevisionResult.Built built) {
        out.put("dir", built.revision().dir().toString());
        out.put("python", built.revision().python().toString());
      }
      if (result instanceof RevisionResult.Failed failed) {
        out.put("error", failed.message());
        out.put("output", failed.outputTail());
      }
      System.out.println(
          new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(out));
      return result instanceof RevisionResult.Built ? 0 : 1;
    }
    return switch (result) {
      case RevisionResult.Built built -> {
        System.out.println(
            quiet ? built.revision().id() : "pylon: " + BuildSummaries.oneLine(built.summary()));
        yield 0;
      }
      case RevisionResult.Failed failed -> {
        if (quiet) {
          // Without --quiet the lines were printed as they came.
          failed.outputTail().forEach(line -> System.err.println("    " + line));
        }
        throw new UserError(failed.message(), 1);
      }
    };
  }

  private int buildImage(ServiceSpec spec, BuildProgress progress)
      throws IOException, InterruptedException, JsonProcessingException {
    ContainerEngine engine =
        ContainerEngine.onPath().orElseThrow(() -> new UserError(ContainerEngine.MISSING, 1));
    ExportResult files = new Exporter().dockerfile(spec);
    ImageResult result =
        new ImageBuilder(engine, stateOptions.stateDir(), progress)
            .build(
                new ImageRequest(
                    spec.name(),
                    spec.sourceDir(),
                    files.files(),
                    Optional.ofNullable(tag),
                    Optional.ofNullable(base),
                    Optional.ofNullable(save)));
    switch (result) {
      case ImageResult.Built built -> {
        if (json) {
          Map<String, Object> out = new LinkedHashMap<>();
          out.put("ok", true);
          out.put("image", built.image());
          out.put("id", built.id());
          out.put("engine", engine.kind().program());
          out.put("sizeBytes", built.sizeBytes());
          out.put("steps", built.steps());
          out.put("cachedSteps", built.cachedSteps());
          out.put("seconds", built.took().toMillis() / 1000.0);
          built.savedTo().ifPresent(p -> out.put("savedTo", p.toString()));
          System.out.println(
              new ObjectMapper()
                  .enable(SerializationFeature.INDENT_OUTPUT)
                  .writeValueAsString(out));
        } else if (quiet) {
          System.out.println(built.image());
        } else {
          System.out.println(
              "pylon: built "
                  + built.image()
                  + (built.sizeBytes() >= 0 ? ", " + (built.sizeBytes() / 1_000_000) + " MB" : "")
                  + ", in "
                  + String.format(Locale.ROOT, "%.1f", built.took().toMillis() / 1000.0)
                  + " s; "
                  + built.cachedSteps()
                  + " of "
                  + built.steps()
                  + " steps from the layer cache"
                  + built.savedTo().map(p -> "; saved to " + p).orElse(""));
        }
        return 0;
      }
      case ImageResult.Failed failed -> {
        if (json) {
          Map<String, Object> out = new LinkedHashMap<>();
          out.put("ok", false);
          out.put("error", failed.message());
          out.put("output", failed.outputTail());
          System.out.println(
              new ObjectMapper()
                  .enable(SerializationFeature.INDENT_OUTPUT)
                  .writeValueAsString(out));
          return 1;
        }
        failed.outputTail().forEach(line -> System.err.println("    " + line));
        throw new UserError(failed.message(), 1);
      }
    }
  }

  private static final class PrintingBuildProgress implements BuildProgress {
    @Override
    public void step(String description) {
      System.out.println("pylon: " + description);
    }

    @Override
    public void line(String outputLine) {
      System.out.println("    " + outputLine);
    }
  }
}
