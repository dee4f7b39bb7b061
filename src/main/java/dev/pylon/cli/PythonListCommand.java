package dev.pylon.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pylon.spec.PythonFinder;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pylon python list}: every interpreter Pylon can see, its version and where it is. */
@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    description = {
      "Lists the Python interpreters Pylon can use: on PATH, pyenv's, the system's (/usr/bin,"
          + " /usr/local/bin), uv's, and the builds Pylon installed into the state directory.",
      "The one marked * runs an app that asks for no version."
    })
final class PythonListCommand implements Callable<Integer> {
  @Option(names = "--json", description = "Print JSON for scripts")
  boolean json;

  @Mixin StateOptions stateOptions;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PythonFinder finder = PythonFinder.withProvisioned(stateOptions.stateDir());
    List<PythonFinder.Found> all = finder.all();
    Optional<PythonFinder.Found> first = finder.firstOnPath();
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      ObjectMapper mapper = new ObjectMapper();
      ArrayNode list = mapper.createArrayNode();
      for (PythonFinder.Found f : all) {
        ObjectNode node = list.addObject();
        node.put("version", f.version());
        node.put("where", f.where());
        node.put("executable", f.executable().toString());
        node.put("foundAs", f.foundAs().toString());
        node.put("default", isDefault(f, first));
      }
      out.println(list.toPrettyString());
    } else if (all.isEmpty()) {
      out.println(
          "pylon: no Python interpreter found; install one with `pylon python install 3.12`");
    } else {
      List<List<String>> rows = new ArrayList<>();
      rows.add(List.of("", "VERSION", "WHERE", "EXECUTABLE", "FOUND AS"));
      for (PythonFinder.Found f : all) {
        rows.add(
            List.of(
                isDefault(f, first) ? "*" : "",
                f.version(),
                f.where(),
                f.executable().toString(),
                f.foundAs().equals(f.executable()) ? "" : f.foundAs().toString()));
      }
      Tables.format(rows).forEach(out::println);
    }
    out.flush();
    return 0;
  }

  private static boolean isDefault(PythonFinder.Found f, Optional<PythonFinder.Found> first) {
    return first.isPresent() && first.get().executable().equals(f.executable());
  }
}
