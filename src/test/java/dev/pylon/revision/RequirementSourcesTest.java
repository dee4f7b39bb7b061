package dev.pylon.revision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RequirementSourcesTest {
  @TempDir Path app;

  private String derived(String pyproject, String lock) throws Exception {
    Files.writeString(app.resolve("pyproject.toml"), pyproject);
    List<Path> files =
        lock == null
            ? List.of(Path.of("pyproject.toml"))
            : List.of(Path.of("pyproject.toml"), Path.of("poetry.lock"));
    if (lock != null) {
      Files.writeString(app.resolve("poetry.lock"), lock);
    }
    List<RequirementSources.Source> sources = RequirementSources.of(app, files);
    assertThat(sources).hasSize(1);
    return sources.get(0).generated().orElseThrow();
  }

  @Test
  void aRequirementsFileIsInstalledAsIs() throws Exception {
    Files.writeString(app.resolve("requirements.txt"), "flask\n");

    List<RequirementSources.Source> sources =
        RequirementSources.of(app, List.of(Path.of("requirements.txt")));

    assertThat(sources.get(0).file()).contains(app.resolve("requirements.txt"));
  }

  @Test
  void aPep621ProjectGivesItsDependencies() throws Exception {
    String pyproject =
        """
        [project]
        name = "shop"
        version = "1.0"
        dependencies = ["fastapi>=0.100", "uvicorn[standard]", "tomli; python_version < '3.11'"]

        [project.optional-dependencies]
        test = ["pytest"]
        """;

    assertThat(derived(pyproject, null))
        .isEqualTo("fastapi>=0.100\nuvicorn[standard]\ntomli; python_version < '3.11'\n");
  }

  @Test
  void aPoetryProjectWithoutALockTranslatesItsConstraints() throws Exception {
    String pyproject =
        """
        [tool.poetry]
        name = "shop"
        version = "1.0"

        [tool.poetry.dependencies]
        python = "^3.11"
        flask = "^2.2"
        gunicorn = "~21.2.0"
        requests = "*"
        httpx = { version = "^0.24", extras = ["http2"] }
        pinned = "1.4.2"

        [tool.poetry.group.dev.dependencies]
        pytest = "^7"
        """;

    assertThat(derived(pyproject, null).lines())
        .containsExactly(
            "flask>=2.2,<3.0",
            "gunicorn>=21.2.0,<21.3.0",
            "requests",
            "httpx[http2]>=0.24,<0.25",
            "pinned==1.4.2");
  }

  @Test
  void aPoetryLockWithCategoriesExportsTheMainPackagesPinned() throws Exception {
    String pyproject =
        """
        [tool.poetry]
        name = "shop"

        [tool.poetry.dependencies]
        python = "^3.11"
        flask = "^2.2"
        """;
    String lock =
        """
        [[package]]
        name = "Flask"
        version = "2.2.2"
        category = "main"
        optional = false

        [[package]]
        name = "colorama"
        version = "0.4.6"
        category = "main"
        optional = false
        markers = "platform_system == \\"Windows\\""

        [[package]]
        name = "pytest"
        version = "7.4.0"
        category = "dev"
        optional = false
        """;

    assertThat(derived(pyproject, lock).lines())
        .containsExactly("colorama==0.4.6 ; platform_system == \"Windows\"", "Flask==2.2.2");
  }

  @Test
  void aPoetryLockWithoutCategoriesIsWalkedFromTheMainDependencies() throws Exception {
    String pyproject =
        """
        [tool.poetry]
        name = "shop"

        [tool.poetry.dependencies]
        python = "^3.11"
        flask = "^2.2"

        [tool.poetry.group.dev.dependencies]
        pytest = "^7"
        """;
    String lock =
        """
        [[package]]
        name = "flask"
        version = "2.2.2"

        [package.dependencies]
        Werkzeug = ">=2.2.2"
        python-dotenv = {version = "*", optional = true}

        [[package]]
        name = "werkzeug"
        version = "2.2.2"

        [[package]]
        name = "python-dotenv"
        version = "1.0.0"

        [[package]]
        name = "pytest"
        version = "7.4.0"
        """;

    assertThat(derived(pyproject, lock).lines()).containsExactly("flask==2.2.2", "werkzeug==2.2.2");
  }

  @Test
  void aPoetry2LockUsesItsGroups() throws Exception {
    String pyproject =
        """
        [project]
        name = "shop"
        dependencies = ["flask (>=2.2)"]

        [tool.poetry]
        package-mode = false
        """;
    String lock =
        """
        [[package]]
        name = "flask"
        version = "2.2.2"
        groups = ["main"]

        [[package]]
        name = "ruff"
        version = "0.5.0"
        groups = ["dev"]
        """;

    assertThat(derived(pyproject, lock)).isEqualTo("flask==2.2.2\n");
  }

  @Test
  void aPyprojectWithoutDependenciesOfAnyKindSaysWhatToDo() throws Exception {
    Files.writeString(app.resolve("pyproject.toml"), "[tool.black]\nline-length = 100\n");

    assertThatThrownBy(() -> RequirementSources.of(app, List.of(Path.of("pyproject.toml"))))
        .isInstanceOf(DependencyFileException.class)
        .hasMessageContaining("[project]");
  }

  @Test
  void editingToolSettingsInPyprojectKeepsTheEnvironmentKey() throws Exception {
    Files.writeString(
        app.resolve("pyproject.toml"), "[project]\nname = \"a\"\ndependencies = [\"flask\"]\n");
    EnvironmentRequest request =
        SystemPython.request(app, List.of(Path.of("pyproject.toml")), true);
    String before = EnvironmentKey.of(request);

    Files.writeString(
        app.resolve("pyproject.toml"),
        "[project]\nname = \"a\"\nversion = \"2\"\ndependencies = [\"flask\"]\n"
            + "[tool.black]\nline-length = 100\n");
    assertThat(EnvironmentKey.of(request)).isEqualTo(before);

    Files.writeString(
        app.resolve("pyproject.toml"),
        "[project]\nname = \"a\"\ndependencies = [\"flask\", \"gunicorn\"]\n");
    assertThat(EnvironmentKey.of(request)).isNotEqualTo(before);
  }

  @Test
  void poetryConstraintsBecomePep440() {
    assertThat(PoetryConstraints.toPep440("^1.2.3")).isEqualTo(">=1.2.3,<2.0.0");
    assertThat(PoetryConstraints.toPep440("^0.2.3")).isEqualTo(">=0.2.3,<0.3.0");
    assertThat(PoetryConstraints.toPep440("^0.0.3")).isEqualTo(">=0.0.3,<0.0.4");
    assertThat(PoetryConstraints.toPep440("~1.2")).isEqualTo(">=1.2,<1.3");
    assertThat(PoetryConstraints.toPep440("~1")).isEqualTo(">=1,<2");
    assertThat(PoetryConstraints.toPep440(">=1.2 <2.0")).isEqualTo(">=1.2,<2.0");
    assertThat(PoetryConstraints.toPep440(">=1.2,!=1.5")).isEqualTo(">=1.2,!=1.5");
    assertThat(PoetryConstraints.toPep440("*")).isEmpty();
    assertThat(PoetryConstraints.toPep440("2.0.*")).isEqualTo("==2.0.*");
  }
}
