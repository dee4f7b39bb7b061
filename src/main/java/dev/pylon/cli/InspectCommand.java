package dev.pylon.cli;

import dev.pylon.spec.SpecReport;
import dev.pylon.spec.SpecResult;
import java.nio.file.Path;
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

  @Override
  public Integer call() {
    if (json) {
      // Scripts read stdout: an invalid folder is the documented {"errors": [...]}, not text on
      // stderr. The loader reports a missing folder as an error of its own.
      SpecResult result = SpecLoading.result(appDir, appOptions);
      System.out.println(
          switch (result) {
            case SpecResult.Loaded loaded -> SpecReport.json(loaded.spec(), loaded.warnings());
            case SpecResult.Invalid invalid -> SpecReport.json(invalid);
          });
      return result instanceof SpecResult.Loaded ? 0 : 2;
    }
    SpecResult.Loaded loaded = SpecLoading.loadWithWarnings(appDir, appOptions);
    System.out.println(SpecReport.human(loaded.spec(), loaded.warnings()));
    return 0;
  }
}
