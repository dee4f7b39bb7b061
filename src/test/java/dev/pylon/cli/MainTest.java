package dev.pylon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

class MainTest {
  @Test
  void aNamedSubcommandIsTheOnlyOneBuilt() {
    for (Class<?> command : PylonCommand.SUBCOMMANDS) {
      String name = command.getAnnotation(Command.class).name();
      assertThat(Main.subcommandsFor(List.of(name, "--help"))).containsExactly(command);
      CommandLine line = Main.newCommandLine(new String[] {name});
      assertThat(line.getSubcommands()).containsOnlyKeys(name);
    }
  }

  @Test
  void versionBuildsNoSubcommandAndPrintsTheSameAsTheWholeTree() {
    assertThat(Main.subcommandsFor(List.of("--version"))).isEmpty();
    assertThat(Main.subcommandsFor(List.of("-V"))).isEmpty();
    assertThat(output(Main.newCommandLine(new String[] {"--version"}), "--version"))
        .isEqualTo(output(Main.newCommandLine(), "--version"))
        .startsWith("pylon ");
  }

  @Test
  void helpNoArgumentsAndUnknownNamesGetTheWholeTree() {
    for (List<String> args :
        List.of(List.<String>of(), List.of("--help"), List.of("inspec"), List.of("-V", "run"))) {
      assertThat(Main.subcommandsFor(args)).isEqualTo(PylonCommand.SUBCOMMANDS);
    }
    assertThat(output(Main.newCommandLine(new String[] {"--help"}), "--help"))
        .contains("inspect")
        .contains("deploy")
        .contains("python");
  }

  @Test
  void theSubsetTreeKeepsTheSharedErrorHandlingAndEnumCase() {
    CommandLine line = Main.newCommandLine(new String[] {"export"});
    assertThat(line.getSubcommands().get("export").getExecutionExceptionHandler())
        .isInstanceOf(UserErrorHandler.class);
    assertThat(line.getSubcommands().get("export").isCaseInsensitiveEnumValuesAllowed()).isTrue();
  }

  private static String output(CommandLine line, String... args) {
    StringWriter out = new StringWriter();
    line.setOut(new PrintWriter(out));
    line.execute(args);
    return out.toString();
  }
}
