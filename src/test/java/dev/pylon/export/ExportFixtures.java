package dev.pylon.export;

import static org.assertj.core.api.Assertions.fail;

import dev.pylon.spec.PythonFinder;
import dev.pylon.spec.ServiceSpec;
import dev.pylon.spec.SpecLoader;
import dev.pylon.spec.SpecOverrides;
import dev.pylon.spec.SpecResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/** The app folders under {@code src/test/resources/export/apps}, read into specs. */
final class ExportFixtures {
  /** Read from the source tree, so golden files can be rewritten in place. */
  static final Path APPS = Path.of("src/test/resources/export/apps");

  static final Path GOLDEN = Path.of("src/test/resources/export/golden");

  /** Reads the code only: no import probe, so the spec does not depend on installed packages. */
  private final SpecLoader loader = new SpecLoader(new PythonFinder(), Duration.ZERO);

  static List<String> appNames() {
    try (Stream<Path> dirs = Files.list(APPS)) {
      return dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new IllegalStateException("cannot list " + APPS.toAbsolutePath(), e);
    }
  }

  ServiceSpec spec(String app) {
    return spec(APPS.resolve(app));
  }

  ServiceSpec spec(Path dir) {
    SpecResult result = loader.load(dir, SpecOverrides.none());
    return switch (result) {
      case SpecResult.Loaded loaded -> loaded.spec();
      case SpecResult.Invalid invalid -> {
        fail("fixture " + dir + " does not load:\n" + invalid.render());
        throw new AssertionError();
      }
    };
  }
}
