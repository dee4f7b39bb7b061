package dev.pylon.spec;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EntrypointShellTest {
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiterString = " => ",
      quoteCharacter = '~',
      value = {
        "gunicorn -b :$PORT main:app => exec gunicorn -b :$PORT main:app",
        "exec gunicorn main:app => exec gunicorn main:app",
        "python manage.py migrate && gunicorn app:app => python manage.py migrate && exec gunicorn app:app",
        "a; b => a; exec b",
        "a || b => a || exec b",
        "a;b => a;exec b",
        "a && b; => a && exec b",
        "cd src && gunicorn app:app => cd src && exec gunicorn app:app",
        "A=1 B='x y' gunicorn app:app => A=1 B='x y' exec gunicorn app:app",
        "migrate && WEB_CONCURRENCY=2 gunicorn app => migrate && WEB_CONCURRENCY=2 exec gunicorn app",
        "echo 'a && b' => exec echo 'a && b'",
        "echo \"a; b\" && serve => echo \"a; b\" && exec serve",
        "echo a\\;b => exec echo a\\;b",
        "migrate && exec gunicorn app => migrate && exec gunicorn app",
        "server | tee log => server | tee log",
        "worker & server => worker & server",
        "if true; then serve; fi => if true; then serve; fi",
        "(cd src; serve) => (cd src; serve)",
        "{ migrate; serve; } => { migrate; serve; }",
        "echo $(date; date) && serve => echo $(date; date) && exec serve",
        "serve # a comment; with a semicolon => exec serve # a comment; with a semicolon",
        "  serve   => exec serve",
        "A=1 => A=1",
      })
  void theLastSimpleCommandBecomesTheShell(String line, String script) {
    assertThat(EntrypointShell.script(line)).isEqualTo(script);
  }

  @ParameterizedTest(name = "newline")
  @CsvSource(
      delimiter = '|',
      value = {"x"})
  void aMultiLineEntrypointExecsItsLastLine(String ignored) {
    assertThat(EntrypointShell.script("migrate\ngunicorn app"))
        .isEqualTo("migrate\nexec gunicorn app");
    assertThat(EntrypointShell.script("migrate \\\n  && gunicorn app"))
        .isEqualTo("migrate \\\n  && exec gunicorn app");
  }
}
