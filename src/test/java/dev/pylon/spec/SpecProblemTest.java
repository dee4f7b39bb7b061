package dev.pylon.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SpecProblemTest {

  @Test
  void rendersLocationQuotedLineCaretAndHint() {
    SpecProblem p =
        new SpecProblem(
            Path.of("shop/app.yaml"),
            4,
            22,
            "`min_num_instances` must be a whole number, got the text \"two\"",
            "see the key's reference for its type",
            "  min_num_instances: \"two\"");

    assertThat(p.render())
        .isEqualTo(
            """
            shop/app.yaml:4:22: `min_num_instances` must be a whole number, got the text "two"
              4 |   min_num_instances: "two"
                |                      ^
              hint: see the key's reference for its type""");
  }

  @Test
  void aWholeFileProblemHasNoLineOrQuote() {
    SpecProblem p = SpecProblem.ofFile(Path.of("shop"), "no app found", "add main.py");

    assertThat(p.render()).isEqualTo("shop: no app found\n  hint: add main.py");
  }
}
