package dev.pylon.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which instance commands a zygote stands in for, and the zygote's own command line. */
class ZygoteCommandTest {
  private static final List<String> WORKER =
      List.of("/venv/bin/python", "/state/pylon_worker-0a1b2c3d4e5f.py", "--app", "main:app");
  private static final List<String> ASGI =
      List.of("/venv/bin/python", "/state/pylon_asgi_worker-0a1b2c3d4e5f.py", "--app", "main:app");
  private static final List<String> GUNICORN =
      List.of("/venv/bin/python", "-m", "gunicorn", "--bind", "127.0.0.1:8080", "main:app");

  @Test
  void theBuiltInWorkersAndGunicornAsPylonRunsThemAreForked() {
    assertThat(ZygoteCommand.whyNot(WORKER, Map.of())).isEmpty();
    assertThat(ZygoteCommand.whyNot(ASGI, Map.of())).isEmpty();
    assertThat(ZygoteCommand.whyNot(GUNICORN, Map.of())).isEmpty();
    assertThat(ZygoteCommand.whyNot(WORKER, Map.of("PYLON_ZYGOTE", "on"))).isEmpty();
  }

  @Test
  void otherCommandsStartCold() {
    for (List<String> command :
        List.of(
            List.of("/bin/sh", "-c", "exec gunicorn -b :8080 main:app"),
            List.of("/venv/bin/python", "-m", "uvicorn", "main:app"),
            List.of("/venv/bin/python", "-m", "hypercorn", "main:app"),
            List.of("/venv/bin/python", "main.py"),
            List.of("/venv/bin/python", "/state/pylon_worker.txt"),
            List.of("/venv/bin/python", "-m"),
            List.of("/venv/bin/python"))) {
      assertThat(ZygoteCommand.whyNot(command, Map.of()))
          .as(String.join(" ", command))
          .hasValueSatisfying(why -> assertThat(why).contains("not one Pylon runs its own way"));
    }
  }

  @Test
  void theServiceCanTurnItOff() {
    for (String off : List.of("off", "OFF", "0", "false", " off ")) {
      assertThat(ZygoteCommand.whyNot(GUNICORN, Map.of("PYLON_ZYGOTE", off)))
          .hasValue("PYLON_ZYGOTE=" + off.strip() + " turns it off");
    }
  }

  @Test
  void theZygoteRunsTheInstancesInterpreterWithItsArguments() {
    assertThat(
            ZygoteCommand.template(
                GUNICORN, Path.of("/tmp/z/pylon_zygote-1.py"), Path.of("/tmp/z/z1.sock")))
        .containsExactly(
            "/venv/bin/python",
            "/tmp/z/pylon_zygote-1.py",
            "--socket",
            "/tmp/z/z1.sock",
            "--",
            "-m",
            "gunicorn",
            "--bind",
            "127.0.0.1:8080",
            "main:app");
  }
}
