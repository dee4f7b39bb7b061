package dev.pylon.export;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ShellChainTest {
  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "gunicorn main:app                                   ^ exec gunicorn main:app",
        "python manage.py migrate && gunicorn app.wsgi       ^ python manage.py migrate && exec gunicorn app.wsgi",
        "a; b                                                ^ a; exec b",
        "a;b                                                 ^ a; exec b",
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
      })
  void execGoesBeforeTheLastCommand(String spec) {
    String[] parts = spec.split("\\^");
    assertThat(ShellChain.execLast(parts[0].strip())).contains(parts[1].strip());
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
        "a;",
      })
  void noSingleProgramCanTakeTheShellsPlace(String command) {
    assertThat(ShellChain.execLast(command)).isEmpty();
  }
}
