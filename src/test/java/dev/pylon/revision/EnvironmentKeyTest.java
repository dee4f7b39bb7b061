package dev.pylon.revision;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvironmentKeyTest {
  @TempDir Path app;

  private EnvironmentRequest request(boolean systemSite) {
    return SystemPython.request(app, List.of(Path.of("requirements.txt")), systemSite);
  }

  @Test
  void findsIncludesInEveryFormPipAccepts() {
    String text =
        """
        flask==3.0  # a comment -r not-this.txt
        -r base.txt
        --requirement=more.txt
        --requirement  spaced.txt
        -c constraints.txt
        --constraint=pins.txt
        -rglued.txt
        -r \\
           continued.txt
        # -r commented.txt
        -r https://example.com/remote.txt
        """;

    assertThat(EnvironmentKey.includes(text))
        .containsExactly(
            "base.txt",
            "more.txt",
            "spaced.txt",
            "constraints.txt",
            "pins.txt",
            "glued.txt",
            "continued.txt");
  }

  @Test
  void theContentOfIncludedFilesIsPartOfTheKey() throws Exception {
    Files.createDirectories(app.resolve("reqs"));
    Files.writeString(app.resolve("requirements.txt"), "-r reqs/base.txt\n");
    Files.writeString(app.resolve("reqs/base.txt"), "flask\n-c pins.txt\n");
    Files.writeString(app.resolve("reqs/pins.txt"), "flask==2.2.2\n");
    String before = EnvironmentKey.of(request(true));

    Files.writeString(app.resolve("reqs/pins.txt"), "flask==2.2.3\n");

    assertThat(EnvironmentKey.of(request(true))).isNotEqualTo(before);
  }

  @Test
  void theSameInputsGiveTheSameKeyAndEachInputCounts() throws Exception {
    Files.writeString(app.resolve("requirements.txt"), "flask\n");
    String key = EnvironmentKey.of(request(true));

    assertThat(EnvironmentKey.of(request(true))).isEqualTo(key).matches("[0-9a-f]{24}");
    assertThat(EnvironmentKey.of(request(false))).isNotEqualTo(key);
    assertThat(
            EnvironmentKey.of(
                new EnvironmentRequest(
                    SystemPython.PATH, "3.11.3", app, List.of(Path.of("requirements.txt")), true)))
        .isNotEqualTo(key);
    Files.writeString(app.resolve("requirements.txt"), "flask\ngunicorn\n");
    assertThat(EnvironmentKey.of(request(true))).isNotEqualTo(key);
  }

  @Test
  void aCycleOfIncludesDoesNotLoop() throws Exception {
    Files.writeString(app.resolve("requirements.txt"), "-r other.txt\n");
    Files.writeString(app.resolve("other.txt"), "-r requirements.txt\n");

    assertThat(EnvironmentKey.of(request(true))).hasSize(24);
  }

  @Test
  void findsLocalPackagesInEveryForm() {
    String text =
        """
        flask
        ./libs/mylib
        -e ../shared
        --editable=.
        mine @ file:///opt/wheels/mine-1.0-py3-none-any.whl
        file:../vendor/dep.tar.gz#egg=dep
        https://example.com/remote.whl
        """;

    assertThat(EnvironmentKey.localPackages(text))
        .containsExactly(
            new EnvironmentKey.LocalPackage("./libs/mylib", false),
            new EnvironmentKey.LocalPackage("../shared", true),
            new EnvironmentKey.LocalPackage(".", true),
            new EnvironmentKey.LocalPackage("/opt/wheels/mine-1.0-py3-none-any.whl", false),
            new EnvironmentKey.LocalPackage("../vendor/dep.tar.gz", false));
  }

  @Test
  void aChangeInsideALocalPackageChangesTheKey() throws Exception {
    Files.createDirectories(app.resolve("libs/mylib/mylib"));
    Files.writeString(app.resolve("libs/mylib/mylib/__init__.py"), "VALUE = 1\n");
    Files.writeString(app.resolve("requirements.txt"), "./libs/mylib\n");
    String before = EnvironmentKey.of(request(true));

    Files.writeString(app.resolve("libs/mylib/mylib/__init__.py"), "VALUE = 2\n");

    assertThat(EnvironmentKey.of(request(true))).isNotEqualTo(before);
  }

  @Test
  void anEditableInstallOfTheAppKeysOnItsPackagingNotItsCode() throws Exception {
    Files.writeString(app.resolve("requirements.txt"), "-e .\n");
    Files.writeString(app.resolve("pyproject.toml"), "[project]\nname = \"app\"\n");
    Files.writeString(app.resolve("main.py"), "VALUE = 1\n");
    String before = EnvironmentKey.of(request(true));

    Files.writeString(app.resolve("main.py"), "VALUE = 2\n");
    assertThat(EnvironmentKey.of(request(true))).isEqualTo(before);

    Files.writeString(
        app.resolve("pyproject.toml"), "[project]\nname = \"app\"\ndependencies = [\"x\"]\n");
    assertThat(EnvironmentKey.of(request(true))).isNotEqualTo(before);
  }
}
