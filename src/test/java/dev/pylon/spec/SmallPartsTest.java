package dev.pylon.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The small pure helpers the readers lean on. */
class SmallPartsTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "gunicorn, gunicorn",
    "':$PORT', ':$PORT'",
    "'a b', '\"a b\"'",
    "'say \"hi\"', '\"say \\\"hi\\\"\"'",
    "'', '\"\"'",
  })
  void shellWordsAreQuotedOnlyWhenNeededAndKeepPortExpandable(String word, String quoted) {
    assertThat(ServiceYamlReader.shellWord(word)).isEqualTo(quoted);
  }

  @Test
  void didYouMeanFindsTyposButNotStrangers() {
    List<String> known = List.of("automatic_scaling", "manual_scaling", "resources", "entrypoint");

    assertThat(DidYouMean.closest("automatic_scalling", known)).contains("automatic_scaling");
    assertThat(DidYouMean.closest("entry_point", known)).contains("entrypoint");
    assertThat(DidYouMean.closest("handlers", known)).isEmpty();
  }

  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource({
    "'Flask==3.0', Flask",
    "'zope.interface>=5', zope.interface",
    "'requests[socks] ; python_version >= \"3.8\"', requests",
    "'mylib @ https://example.com/mylib-1.0.tar.gz', mylib",
  })
  void requirementNames(String requirement, String name) {
    assertThat(DependencyReader.requirementName(requirement)).contains(name);
  }

  @Test
  void packageNamesAreComparedAsPep503Says() {
    Dependencies d =
        new Dependencies(
            Dependencies.Kind.REQUIREMENTS,
            List.of(),
            List.of(Dependencies.normalize("Flask_Login")),
            List.of(),
            "test");

    assertThat(d.declares("flask-login")).isTrue();
    assertThat(d.declares("FLASK.LOGIN")).isTrue();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({"My_Shop, my-shop", "'123 api', app-123-api", "'---', app", "Orders, orders"})
  void serviceNames(String raw, String name) {
    assertThat(ServiceNames.sanitize(raw)).isEqualTo(name);
  }
}
