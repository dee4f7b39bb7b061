package dev.pylon.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pylon.spec.ContainerEngine;
import dev.pylon.spec.SpecReport;
import dev.pylon.spec.SpecResult;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pylon inspect DIR}: what Pylon detected in a folder, what it will do, and why. */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    description =
        "Shows what Pylon detected in DIR and what it will run, with the file that decided each line.")
final class InspectCommand implements Callable<Integer> {
  @Parameters(
      index = "0",
      arity = "0..1",
      defaultValue = ".",
      description = "App folder (default: .)")
  Path appDir;

  @Option(
      names = "--json",
      description = "Print JSON for scripts (the format is in docs/configuration.md)")
  boolean json;

  @Mixin AppOptions appOptions;
  @Mixin StateOptions stateOptions;

  @Override
  public Integer call() throws JsonProcessingException {
    Optional<ContainerEngine> engine = ContainerEngine.onPath();
    if (json) {
      ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
      // Scripts read stdout: an invalid folder is the documented {"errors": [...]}, not text on
      // stderr. The loader reports a missing folder as an error of its own.
      SpecResult result = SpecLoading.result(appDir, appOptions, stateOptions.stateDir());
      if (result instanceof SpecResult.Invalid invalid) {
        System.out.println(SpecReport.json(invalid));
        return 2;
      }
      SpecResult.Loaded loaded = (SpecResult.Loaded) result;
      ObjectNode root =
          (ObjectNode) mapper.readTree(SpecReport.json(loaded.spec(), loaded.warnings()));
      ObjectNode containers = root.putObject("containerEngine");
      engine.ifPresentOrElse(
          e -> {
            containers.put("kind", e.kind().program());
            containers.put("executable", e.executable().toString());
            containers.put("runsContainers", e.runs());
          },
          () -> containers.put("missing", ContainerEngine.MISSING));
      System.out.println(mapper.writeValueAsString(root));
      return 0;
    }
    SpecResult.Loaded loaded =
        SpecLoading.loadWithWarnings(appDir, appOptions, stateOptions.stateDir());
    String report = SpecReport.human(loaded.spec(), loaded.warnings());
    String containers =
        String.format(
            "%-13s %s%n",
            "containers",
            engine
                .map(
                    e ->
                        e.describe()
                            + (e.runs()
                                ? ": builds images (--image) and runs instances (--container)"
                                : ": builds images (--image); running instances needs podman or"
                                    + " docker"))
                .orElse(ContainerEngine.MISSING));
    int warnings = report.indexOf("\nwarnings:\n");
    System.out.println(
        warnings < 0
            ? report + containers
            : report.substring(0, warnings + 1) + containers + report.substring(warnings + 1));
    return 0;
  }
}
