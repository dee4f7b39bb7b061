package dev.pylon.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PythonRequestTest {

  @ParameterizedTest(name = "{0} matches {1}: {2}")
  @CsvSource({
    "'>=3.10', 3.11.2, true",
    "'>=3.10,<3.12', 3.12.1, false",
    "'~=3.11', 3.13.0, true",
    "'~=3.11.2', 3.12.0, false",
    "'==3.11.*', 3.11.7, true",
    "'!=3.11.*', 3.11.7, false",
    "'3.11', 3.11.7, true",
    "'3.1', 3.11.7, false",
  })
  void specifiers(String spec, String version, boolean matches) {
    PythonRequest r =
        PythonRequest.specifier(spec, Origin.ofFile(Path.of("pyproject.toml"))).orElseThrow();

    assertThat(r.matches(PythonVersion.parse(version).orElseThrow())).isEqualTo(matches);
  }

  /**
   * Moved from the deleted revision.InterpreterFinderTest: a version matches by its leading parts.
   */
  @ParameterizedTest(name = "{0} matches 3.11.2: {1}")
  @CsvSource({"3, true", "3.11, true", "3.11.2, true", "3.1, false", "3.11.20, false"})
  void versionsMatchByLeadingComponents(String wanted, boolean matches) {
    PythonRequest r =
        PythonRequest.versionOrPath(wanted, Origin.ofFile(Path.of(".python-version")))
            .orElseThrow();

    assertThat(r.matches(PythonVersion.parse("3.11.2").orElseThrow())).isEqualTo(matches);
  }

  @ParameterizedTest(name = "poetry {0} is {1}")
  @CsvSource({
    "'^3.11', '>=3.11,<4'",
    "'^0.2.3', '>=0.2.3,<0.3'",
    "'~1.2', '>=1.2,<1.3'",
    "'*', ''"
  })
  void poetryConstraints(String poetry, String pep440) {
    assertThat(DependencyReader.poetrySpecifier(poetry)).isEqualTo(pep440);
  }
}
