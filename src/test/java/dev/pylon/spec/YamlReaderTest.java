package dev.pylon.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class YamlReaderTest {
  private final YamlReader reader = new YamlReader();

  private YamlNode.Mapping parse(String text) {
    YamlReader.Parsed parsed = reader.parse(SourceText.of(Path.of("app.yaml"), text));
    assertThat(parsed.errors()).isEmpty();
    return (YamlNode.Mapping) parsed.root();
  }

  @Test
  void keysAndValuesKeepTheirLineAndColumn() {
    YamlNode.Mapping root = parse("runtime: python\nautomatic_scaling:\n  max_num_instances: 4\n");

    YamlNode.Entry scaling = root.entry("automatic_scaling").orElseThrow();
    YamlNode.Entry max =
        ((YamlNode.Mapping) scaling.value()).entry("max_num_instances").orElseThrow();
    assertThat(scaling.keyOrigin().line()).isEqualTo(2);
    assertThat(max.keyOrigin().line()).isEqualTo(3);
    assertThat(max.keyOrigin().column()).isEqualTo(3);
    assertThat(max.value().origin().column()).isEqualTo(22);
    assertThat(max.value().origin().sourceLine()).isEqualTo("  max_num_instances: 4");
  }

  @Test
  void numbersKeepTheTextAsWritten() {
    YamlNode.Mapping root = parse("runtime_version: 3.10\n");

    YamlNode.Scalar v = (YamlNode.Scalar) root.get("runtime_version").orElseThrow();
    assertThat(v.type()).isEqualTo(YamlNode.Scalar.Type.FLOAT);
    assertThat(v.text()).isEqualTo("3.10");
  }

  @Test
  void duplicateKeysAreErrorsPointingAtTheSecond() {
    YamlReader.Parsed parsed =
        reader.parse(SourceText.of(Path.of("app.yaml"), "service: a\nenv: flex\nservice: b\n"));

    assertThat(parsed.errors())
        .extracting(SpecProblem::render)
        .containsExactly(
            "app.yaml:3:1: `service` is given twice (first at line 1)\n"
                + "  3 | service: b\n"
                + "    | ^\n"
                + "  hint: keep one of them");
  }

  @Test
  void aSyntaxErrorPointsAtItsLine() {
    YamlReader.Parsed parsed =
        reader.parse(SourceText.of(Path.of("app.yaml"), "env_variables:\n  A: 1\n B: 2\n"));

    assertThat(parsed.root()).isNull();
    assertThat(parsed.errors()).hasSize(1);
    assertThat(parsed.errors().get(0).line()).isEqualTo(3);
    assertThat(parsed.errors().get(0).message()).startsWith("YAML syntax error: ");
  }
}
