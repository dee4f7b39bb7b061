package dev.pylon.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class MemorySizeConverterTest {
  private final MemorySizeConverter converter = new MemorySizeConverter();

  @Test
  void readsKubernetesAndCloudRunSizesAsMebibytes() {
    assertThat(converter.convert("512Mi")).isEqualTo(512);
    assertThat(converter.convert("1Gi")).isEqualTo(1024);
    assertThat(converter.convert("256")).isEqualTo(256);
    assertThat(converter.convert("1G")).isEqualTo(954);
    assertThat(converter.convert("0.5Gi")).isEqualTo(512);
  }

  @Test
  void refusesWhatIsNotASizeOrTooSmallToRunPython() {
    assertThatThrownBy(() -> converter.convert("lots"))
        .isInstanceOf(TypeConversionException.class)
        .hasMessageContaining("512Mi");
    assertThatThrownBy(() -> converter.convert("8Mi"))
        .isInstanceOf(TypeConversionException.class)
        .hasMessageContaining("16 MiB");
  }
}
