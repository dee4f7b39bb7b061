package dev.pylon.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pylon.revision.StandaloneMirror;
import dev.pylon.revision.StandalonePythons;
import dev.pylon.spec.PythonFinder;
import dev.pylon.spec.PythonInstalls;
import dev.pylon.spec.PythonProvisioner;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code pylon python install 3.12}: a python-build-standalone build into the state directory. */
@Command(
    name = "install",
    mixinStandardHelpOptions = true,
    description = {
      "Downloads a python-build-standalone build of VERSION for this machine into the state"
          + " directory (pythons/), checks its SHA-256 and unpacks it; a build installed earlier"
          + " is used again.",
      "Source: $PYLON_PYTHON_MIRROR (default: the project's GitHub releases), release"
          + " $PYLON_PYTHON_RELEASE (default: "
          + StandaloneMirror.DEFAULT_RELEASE
          + "), through $https_proxy / $http_proxy unless $no_proxy lists the host."
    })
final class PythonInstallCommand implements Callable<Integer> {
  @Parameters(
      index = "0",
      paramLabel = "VERSION",
      description = "3.12 (the newest 3.12 build), 3.12.4, or a range such as '>=3.11,<3.13'")
  String version;

  @Option(names = "--json", description = "Print JSON for scripts (progress stays on stderr)")
  boolean json;

  @Mixin StateOptions stateOptions;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    Path stateDir = stateOptions.stateDir();
    PythonProvisioner pythons =
        StandalonePythons.fromEnvironment(
            stateDir, System.getenv(), line -> System.err.println("pylon: " + line));
    PythonInstalls.Outcome outcome =
        PythonInstalls.install(version, PythonFinder.withProvisioned(stateDir), pythons);
    PrintWriter out = spec.commandLine().getOut();
    switch (outcome) {
      case PythonInstalls.Outcome.Failed failed ->
          throw new UserError(
              "cannot install Python "
                  + version
                  + ": "
                  + failed.message()
                  + (failed.hint().isBlank() ? "" : "\n  hint: " + failed.hint()),
              1);
      case PythonInstalls.Outcome.Installed installed -> {
        PythonFinder.Found f = installed.python();
        if (json) {
          ObjectNode node = new ObjectMapper().createObjectNode();
          node.put("version", f.version());
          node.put("executable", f.executable().toString());
          node.put("reused", installed.reused());
          node.put("source", pythons.source());
          installed.notes().forEach(node.putArray("notes")::add);
          out.println(node.toPrettyString());
        } else {
          installed.notes().forEach(n -> out.println("pylon: note: " + n));
          out.println(
              "pylon: "
                  + (installed.reused() ? "already installed: Python " : "installed Python ")
                  + f.version()
                  + " at "
                  + f.executable());
        }
      }
    }
    out.flush();
    return 0;
  }
}
