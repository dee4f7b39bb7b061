package dev.pylon.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.pylon.control.BuildSummaries;
import dev.pylon.control.RevisionRequests;
import dev.pylon.export.Exporter;
import dev.pylon.revision.BuildProgress;
import dev.pylon.revision.RevisionBuilder;
import dev.pylon.revision.RevisionResult;
import dev.pylon.spec.ServiceSpec;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
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
      "With --dockerfile, writes a Dockerfile and .dockerignore for the same app instead."
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

  @Mixin AppOptions appOptions;
  @Mixin StateOptions stateOptions;

  @Override
  public Integer call() throws JsonProcessingException {
    ServiceSpec spec =
        SpecLoading.load(appDir, appOptions, quiet || json ? line -> {} : System.out::println);
    if (dockerfile) {
      ExportWriting.write(spec.sourceDir(), new Exporter().dockerfile(spec), force, System.out);
      return 0;
    }
    BuildProgress progress = quiet || json ? BuildProgress.SILENT : new PrintingBuildProgress();
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
