package dev.pylon.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InstanceTemplateTest {
  private static InstanceTemplate with(String... command) {
    return new InstanceTemplate("svc", "rev", List.of(command), Map.of(), Path.of("."));
  }

  @Test
  void portTokensAreReplacedInsideArguments() {
    assertThat(
            with(
                    "gunicorn",
                    "--bind",
                    "127.0.0.1:$PORT",
                    "--x=${PORT}",
                    "$PORT",
                    "$PORTABLE",
                    "$$PORT")
                .commandFor(8123))
        .containsExactly(
            "gunicorn", "--bind", "127.0.0.1:8123", "--x=8123", "8123", "$PORTABLE", "$8123");
  }
}
