package dev.pylon.spec;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

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
        // was "worker & server" (run as written): export's ShellChain exec'd after a background
        // job, and that is right: the server becomes the shell and gets SIGTERM, the worker runs
        // in the background either way.
        "worker & server => worker & exec server",
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

  // The cases of export's former ShellChainTest, on the one implementation both callers use.
  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "gunicorn main:app                                   ^ exec gunicorn main:app",
        "python manage.py migrate && gunicorn app.wsgi       ^ python manage.py migrate && exec gunicorn app.wsgi",
        "a; b                                                ^ a; exec b",
        // was "a; exec b": only `exec ` is inserted, the rest stays as the user wrote it (the
        // local instance already ran "a;exec b"; both now run and show the same line)
        "a;b                                                 ^ a;exec b",
        "a || b                                              ^ a || exec b",
        "cd src && python -m gunicorn --bind :$PORT main:app ^ cd src && exec python -m gunicorn --bind :$PORT main:app",
        "exec gunicorn main:app                              ^ exec gunicorn main:app",
        "a && exec b                                         ^ a && exec b",
        "echo 'x && y' && serve                              ^ echo 'x && y' && exec serve",
        "echo \"a; b\" && serve                              ^ echo \"a; b\" && exec serve",
        "(cd x && make) && serve                             ^ (cd x && make) && exec serve",
        "serve --workers $(nproc)                            ^ exec serve --workers $(nproc)",
        "a && serve --workers $(echo 2; echo 3)              ^ a && exec serve --workers $(echo 2; echo 3)",
        "a \\&& b                                            ^ a \\&& exec b",
        // was "no single program" (run as written, the shell as PID 1): a trailing ; ends the
        // line and nothing else, so `a;` is `a`, which the local instance already exec'd
        "a;                                                  ^ exec a",
      })
  void execGoesBeforeTheLastCommand(String spec) {
    String[] parts = spec.split("\\^");
    assertThat(EntrypointShell.execLast(parts[0].strip())).contains(parts[1].strip());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "serve | tee log",
        "a && serve | tee log",
        "serve &",
        "a && (serve)",
        "a && { serve; }",
        "while true; do serve; done",
        "A=1",
      })
  void noSingleProgramCanTakeTheShellsPlace(String command) {
    assertThat(EntrypointShell.execLast(command)).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiterString = " => ",
      quoteCharacter = '~',
      value = {
        "gunicorn app 2>&1 => exec gunicorn app 2>&1",
        "migrate >/dev/null 2>&1 && serve => migrate >/dev/null 2>&1 && exec serve",
        "serve <&3 => exec serve <&3",
        "serve >| log => exec serve >| log",
        "A=1 gunicorn app && B=2 serve => A=1 gunicorn app && B=2 exec serve",
      })
  void theAmpersandAndBarOfARedirectionSeparateNoCommands(String line, String script) {
    assertThat(EntrypointShell.script(line)).isEqualTo(script);
  }
}
