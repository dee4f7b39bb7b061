package dev.pylon.revision;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeclaredDependenciesTest {
  @TempDir Path app;

  @Test
  void namesFromRequirementsAndTheirIncludesNormalised() throws Exception {
    Files.writeString(
        app.resolve("requirements.txt"),
        """
        -r base.txt
        -c constraints.txt
        Flask_Login>=0.6 ; python_version >= "3.8"
        uvicorn[standard]==0.23.2
        mylib @ https://example.com/mylib-1.0.tar.gz
        -e git+https://example.com/repo.git#egg=Editable.Pkg
        ./local-dir
        --index-url https://example.com/simple
        """);
    Files.writeString(app.resolve("base.txt"), "gunicorn  # the server\n");
    Files.writeString(app.resolve("constraints.txt"), "not-a-requirement==1\n");

    assertThat(DeclaredDependencies.of(app, List.of(Path.of("requirements.txt"))))
        .containsExactly("editable-pkg", "flask-login", "gunicorn", "mylib", "uvicorn");
  }

  @Test
  void namesFromAPyproject() throws Exception {
    Files.writeString(
        app.resolve("pyproject.toml"),
        "[project]\nname = \"x\"\ndependencies = [\"FastAPI>=0.100\", \"uvicorn[standard]\"]\n");

    assertThat(DeclaredDependencies.of(app, List.of(Path.of("pyproject.toml"))))
        .containsExactly("fastapi", "uvicorn");
  }
}
