package dev.pylon.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which packages an app declares, as the spec reads them (moved from the deleted
 * revision.DeclaredDependenciesTest, whose class re-parsed what the spec already reads).
 */
class DeclaredPackagesTest {
  @TempDir Path app;

  private Dependencies dependencies() {
    SpecResult result = new SpecLoader(new PythonFinder()).load(app, SpecOverrides.none());
    assertThat(result).isInstanceOf(SpecResult.Loaded.class);
    return ((SpecResult.Loaded) result).spec().dependencies();
  }

  @Test
  void namesFromRequirementsAndTheirIncludesNormalised() throws Exception {
    Files.writeString(app.resolve("main.py"), "def app(environ, start_response):\n    pass\n");
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

    // The spec keeps the files' order; the deleted class sorted the names.
    assertThat(dependencies().packages())
        .containsExactlyInAnyOrder("editable-pkg", "flask-login", "gunicorn", "mylib", "uvicorn");
  }

  @Test
  void namesFromAPyproject() throws Exception {
    Files.writeString(app.resolve("main.py"), "def app(environ, start_response):\n    pass\n");
    Files.writeString(
        app.resolve("pyproject.toml"),
        "[project]\nname = \"x\"\ndependencies = [\"FastAPI>=0.100\", \"uvicorn[standard]\"]\n");

    assertThat(dependencies().packages()).containsExactly("fastapi", "uvicorn");
  }
}
