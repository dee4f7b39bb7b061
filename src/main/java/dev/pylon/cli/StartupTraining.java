package dev.pylon.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import picocli.CommandLine.Command;

/**
 * The training run the launcher records the JVM's start-up cache from (JDK 25's AOT cache, AppCDS
 * before it): the commands people type most, in one process, on a throw-away app and state folder,
 * so the classes they load are in the cache. Started by {@code ./pylon} in the background with
 * {@code -Dpylon.startup.training=true}; nothing it prints is meant for a person.
 */
final class StartupTraining {
  static final String PROPERTY = "pylon.startup.training";

  private StartupTraining() {}

  static int run() {
    Path work;
    try {
      work = Files.createTempDirectory("pylon-training");
    } catch (IOException e) {
      return 1;
    }
    PrintStream out = System.out;
    PrintStream err = System.err;
    PrintStream discard = new PrintStream(OutputStream.nullOutputStream());
    System.setOut(discard);
    System.setErr(discard);
    try {
      Path app = work.resolve("app");
      Files.createDirectories(app);
      Files.writeString(
          app.resolve("main.py"),
          "def app(environ, start_response):\n"
              + "    start_response('200 OK', [('Content-Type', 'text/plain')])\n"
              + "    return [b'trained']\n");
      Files.writeString(
          app.resolve("app.yaml"),
          "runtime: python\nenv: flex\nenv_variables:\n  GREETING: \"trained\"\n");
      String state = work.resolve("state").toString();
      String dir = app.toString();
      List<String[]> lines = new ArrayList<>();
      lines.add(new String[] {"--version"});
      lines.add(new String[] {"--help"});
      for (Class<?> command : PylonCommand.SUBCOMMANDS) {
        lines.add(new String[] {command.getAnnotation(Command.class).name(), "--help"});
      }
      lines.add(new String[] {"inspect", dir, "--state-dir", state});
      lines.add(new String[] {"inspect", dir, "--json", "--state-dir", state});
      lines.add(new String[] {"build", dir, "--state-dir", state});
      lines.add(new String[] {"build", dir, "--json", "--state-dir", state});
      lines.add(
          new String[] {"export", dir, "--to", "knative", "--out", work.resolve("k").toString()});
      for (String[] line : lines) {
        Main.newCommandLine(line).execute(line);
      }
      Files.writeString(app.resolve("main.py"), "# changed\n", StandardOpenOption.APPEND);
      Main.newCommandLine(new String[] {"build"}).execute("build", dir, "--state-dir", state);
      return 0;
    } catch (IOException | RuntimeException e) {
      return 1;
    } finally {
      System.setOut(out);
      System.setErr(err);
      deleteTree(work);
    }
  }

  private static void deleteTree(Path root) {
    // Revision snapshots are read-only: their folders are made writable again first.
    try (Stream<Path> paths = Files.walk(root)) {
      paths.filter(Files::isDirectory).forEach(p -> p.toFile().setWritable(true, true));
    } catch (IOException | UncheckedIOException e) {
      // A temporary folder left behind is harmless.
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(StartupTraining::deleteQuietly);
    } catch (IOException | UncheckedIOException e) {
      // A temporary folder left behind is harmless.
    }
  }

  private static void deleteQuietly(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      // A temporary file left behind is harmless.
    }
  }
}
