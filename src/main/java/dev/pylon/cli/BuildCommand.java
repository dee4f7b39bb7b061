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
import dev.pylon.revision.RevisionResult;
import dev.pylon.spec.ContainerEngine;
import dev.pylon.spec.ServiceSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
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
    ServiceSpec spec =
        SpecLoading.load(
            appDir,
            appOptions,
            stateOptions.stateDir(),
            quiet || json ? line -> {} : System.out::println);
    if (dockerfile) {
      ExportWriting.write(spec.sourceDir(), new Exporter().dockerfile(spec), force, System.out);
      return 0;
    }
    if (!image && (tag != null || base != null || save != null)) {
      throw new UserError("--tag, --base and --save go with --image: pylon build DIR --image", 2);
    }
    BuildProgress progress = quiet || json ? BuildProgress.SILENT : new PrintingBuildProgress();
    if (image) {
      return buildImage(spec, progress);
    }
    RevisionResult result =
        new RevisionBuilder(stateOptions.stateDir(), progress)
            .build(RevisionRequests.of(spec, appOptions.systemSitePackages, appOptions.preStart()));
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
