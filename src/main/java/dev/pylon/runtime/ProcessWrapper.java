package dev.pylon.runtime;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The util-linux programs every instance command is started through, found once per set. */
final class ProcessWrapper {
  private static final Logger log = LoggerFactory.getLogger(ProcessWrapper.class);

  private ProcessWrapper() {}

  /**
   * {@code setsid} makes each instance the leader of a new session and process group, so one signal
   * reaches everything it forks; {@code setpriv --pdeathsig KILL} asks the kernel to kill it if the
   * thread that started it (the launcher) or Pylon dies.
   */
  static List<String> prefix(boolean parentDeathSignal) {
    List<String> prefix = new ArrayList<>();
    Optional<Path> setsid = onPath("setsid");
    if (setsid.isPresent()) {
      prefix.add(setsid.get().toString());
    } else {
      log.warn(
          "setsid (util-linux) is not on PATH: instances share Pylon's process group, and"
              + " processes they fork may outlive a stop");
    }
    if (parentDeathSignal) {
      Optional<Path> setpriv = onPath("setpriv").filter(ProcessWrapper::supportsParentDeathSignal);
      if (setpriv.isPresent()) {
        prefix.addAll(List.of(setpriv.get().toString(), "--pdeathsig", "KILL", "--"));
      } else {
        log.info("setpriv --pdeathsig is unavailable: instances outlive a killed Pylon");
      }
    }
    return List.copyOf(prefix);
  }

  private static boolean supportsParentDeathSignal(Path setpriv) {
    try {
      Process check =
          new ProcessBuilder(setpriv.toString(), "--pdeathsig", "KILL", "--", "true")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      return check.waitFor(5, TimeUnit.SECONDS) && check.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  static Optional<Path> onPath(String program) {
    String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, program);
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
