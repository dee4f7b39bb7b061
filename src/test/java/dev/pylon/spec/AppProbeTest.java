package dev.pylon.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppProbeTest {
  private final Interpreter python = python();

  private static Interpreter python() {
    PythonFinder.Found f = TestPythons.FINDER.firstOnPath().orElseThrow();
    return new Interpreter(f.executable(), f.version(), "test");
  }

  private AppProbe.Answer probe(Path dir, String code, Duration timeout) throws Exception {
    Files.writeString(dir.resolve("main.py"), code);
    AppTarget app =
        new AppTarget("main", "app", AppTarget.Kind.UNKNOWN, Optional.empty(), Path.of(""), "t");
    return new AppProbe(timeout).probe(python, dir, app, Map.of("GREETING", "hi"));
  }

  @Test
  void aCallableClassInstanceWithAnAsyncCallIsAsgi(@TempDir Path dir) throws Exception {
    AppProbe.Answer a =
        probe(
            dir,
            "class App:\n    async def __call__(self, scope, receive, send):\n        pass\n"
                + "app = App()\n",
            Duration.ofSeconds(10));

    assertThat(a).isEqualTo(new AppProbe.Answer.Inspected("asgi", "main.App"));
  }

  @Test
  void theAppSeesTheServiceEnvironmentWhileImported(@TempDir Path dir) throws Exception {
    AppProbe.Answer a =
        probe(
            dir,
            "import os\nassert os.environ['GREETING'] == 'hi'\n"
                + "def app(environ, start_response):\n    return []\n",
            Duration.ofSeconds(10));

    assertThat(a).isEqualTo(new AppProbe.Answer.Inspected("wsgi", "function app"));
    assertThat(dir.resolve("__pycache__")).doesNotExist();
  }

  @Test
  void aMissingAttributeListsWhatTheModuleDefines(@TempDir Path dir) throws Exception {
    AppProbe.Answer a =
        probe(dir, "def create():\n    pass\nprint('noise')\n", Duration.ofSeconds(10));

    assertThat(a).isEqualTo(new AppProbe.Answer.NoAttribute(java.util.List.of("create")));
  }

  @Test
  void anImportThatNeverEndsIsCutShort(@TempDir Path dir) throws Exception {
    AppProbe.Answer a = probe(dir, "import time\ntime.sleep(60)\n", Duration.ofMillis(500));

    assertThat(a).isInstanceOf(AppProbe.Answer.NoAnswer.class);
    assertThat(((AppProbe.Answer.NoAnswer) a).why()).contains("took longer than");
  }

  @Test
  void anAppThatExitsAtImportGivesNoAnswerButNoCrash(@TempDir Path dir) throws Exception {
    AppProbe.Answer a = probe(dir, "import sys\nsys.exit(3)\n", Duration.ofSeconds(10));

    assertThat(a).isEqualTo(new AppProbe.Answer.ImportFailed("SystemExit: 3"));
  }
}
