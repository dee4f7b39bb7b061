package dev.pylon.cli;

import dev.pylon.export.ExportResult;
import dev.pylon.export.Exporter;
import dev.pylon.spec.ServiceSpec;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pylon export DIR --to knative|kubernetes}: the same service as cluster manifests. */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description = {
      "Writes manifests that run the app in DIR on a cluster, from the same spec `pylon run` uses:",
      "a Knative Service (knative-service.yaml), or a Deployment, Service and HPA (kubernetes.yaml).",
      "Build the image from the Dockerfile `pylon build --dockerfile` writes."
    })
final class ExportCommand implements Callable<Integer> {
  enum Target {
    knative,
    kubernetes
  }

  @Parameters(
      index = "0",
      arity = "0..1",
      defaultValue = ".",
      description = "App folder (default: .)")
  Path appDir;

  @Option(names = "--to", required = true, description = "knative or kubernetes")
  Target target;

  @Option(
      names = "--image",
      description = "The container image (default: a REGISTRY/NAME:TAG placeholder to replace)")
  String image;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "Where to write (default: the app folder)")
  Path out;

  @Option(names = "--force", description = "Replace files that exist")
  boolean force;

  @Mixin AppOptions appOptions;
  @Mixin StateOptions stateOptions;

  @Override
  public Integer call() {
    ServiceSpec spec =
        SpecLoading.load(appDir, appOptions, stateOptions.stateDir(), System.err::println);
    String chosenImage = image == null ? Exporter.imagePlaceholder(spec) : image;
    Exporter exporter = new Exporter();
    ExportResult result =
        switch (target) {
          case knative -> exporter.knative(spec, chosenImage);
          case kubernetes -> exporter.kubernetes(spec, chosenImage);
        };
    ExportWriting.write(out == null ? spec.sourceDir() : out, result, force, System.out);
    return 0;
  }
}
