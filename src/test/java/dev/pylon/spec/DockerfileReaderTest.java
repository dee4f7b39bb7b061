package dev.pylon.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Dockerfile subset Pylon follows, read without processes: dpkg is a given set here. */
class DockerfileReaderTest {
  @TempDir Path dir;

  private final DockerfileReader reader = new DockerfileReader(Set.of("libpq5")::contains);

  private DockerfileReader.Dockerfile read(String text) throws IOException {
    Path file = dir.resolve("Dockerfile");
    Files.writeString(file, text);
    return reader.read(file).orElseThrow();
  }

  private static String messages(DockerfileReader.Dockerfile d) {
    return String.join("\n", d.warnings().stream().map(SpecProblem::message).toList());
  }

  @Test
  void aptGetInstallNamesThePackagesAndWhichThisMachineLacks() throws IOException {
    DockerfileReader.Dockerfile d =
        read(
            """
            FROM python:3.12-slim
            RUN apt-get update \\
                # the client library and the headers to build psycopg
                && apt-get install -y --no-install-recommends libpq5 libpq-dev=15.* \\
                && rm -rf /var/lib/apt/lists/*
            CMD ["python", "main.py"]
            """);
    assertThat(d.followed()).isTrue();
    assertThat(d.python().orElseThrow().text()).isEqualTo("3.12");
    assertThat(d.warnings()).hasSize(1);
    SpecProblem apt = d.warnings().get(0);
    assertThat(apt.line()).isEqualTo(2);
    assertThat(apt.message())
        .isEqualTo(
            "Pylon does not run apt-get: the image would install libpq5, libpq-dev; this machine"
                + " lacks libpq-dev");
    assertThat(apt.hint()).contains("sudo apt-get install libpq-dev");
    assertThat(d.entrypoint().orElseThrow().value()).isEqualTo("python main.py");
  }

  @Test
  void envInBothFormsAndPlatformVariablesLeftToThePlatform() throws IOException {
    DockerfileReader.Dockerfile d =
        read(
            """
            FROM python:3.11
            ENV LEGACY some words here
            ENV A=1 B="two words" PORT=8080
            ENV K_SERVICE=mine
            CMD gunicorn --bind 127.0.0.1:$PORT main:app
            """);
    assertThat(d.env())
        .containsEntry("LEGACY", "some words here")
        .containsEntry("A", "1")
        .containsEntry("B", "two words")
        .doesNotContainKeys("PORT", "K_SERVICE");
    assertThat(messages(d)).contains("ENV K_SERVICE is set by the platform");
    assertThat(d.entrypoint().orElseThrow().value())
        .isEqualTo("gunicorn --bind 127.0.0.1:$PORT main:app");
    assertThat(d.entrypoint().orElseThrow().origin().line()).isEqualTo(5);
  }

  @Test
  void entrypointExecFormTakesCmdAsItsArgumentsAndShCIsUnwrapped() throws IOException {
    assertThat(
            read("""
                    FROM python:3.11
                    ENTRYPOINT ["/usr/local/bin/gunicorn"]
                    CMD ["--bind", "127.0.0.1:$PORT", "--log-level", "info debug", "main:app"]
                    """)
                .entrypoint()
                .orElseThrow()
                .value())
        .isEqualTo("gunicorn --bind \"127.0.0.1:$PORT\" --log-level 'info debug' main:app");
    assertThat(
            read("""
                    FROM python:3.11
                    CMD ["sh", "-c", "exec uvicorn main:app --port $PORT"]
                    """)
                .entrypoint()
                .orElseThrow()
                .value())
        .isEqualTo("exec uvicorn main:app --port $PORT");
  }

  @Test
  void namedPackagesAndOtherStepsAreWarningsAndPackagingUpgradesAreNot() throws IOException {
    DockerfileReader.Dockerfile d =
        read(
            """
            FROM python:3.11-slim
            RUN pip install --upgrade pip setuptools wheel
            RUN python -m pip install --no-cache-dir flask==3.0 gunicorn
            RUN useradd app && python manage.py collectstatic --noinput
            VOLUME /data
            """);
    assertThat(d.warnings()).hasSize(3);
    assertThat(d.warnings().get(0).message())
        .isEqualTo(
            "Pylon installs dependencies from files, not from a RUN line: flask==3.0 gunicorn is"
                + " not installed unless requirements.txt or pyproject.toml lists it");
    assertThat(d.warnings().get(1).message())
        .isEqualTo(
            "Pylon serves the app without this step: `python manage.py collectstatic --noinput`");
    assertThat(d.warnings().get(2).message()).contains("VOLUME /data");
    assertThat(d.entrypoint()).isEmpty();
  }

  @Test
  void multiStageBuildsReadTheFinalStageAndEveryStagesRequirements() throws IOException {
    Files.writeString(dir.resolve("requirements.txt"), "flask\n");
    DockerfileReader.Dockerfile d =
        read(
            """
            FROM python:3.10 AS builder
            WORKDIR /src
            COPY requirements.txt .
            RUN pip wheel -r requirements.txt -w /wheels && pip install -r requirements.txt
            FROM docker.io/library/python:3.12.4-slim-bookworm
            COPY --from=builder /wheels /wheels
            CMD ["python", "-m", "flask", "run"]
            """);
    assertThat(d.python().orElseThrow().text()).isEqualTo("3.12.4");
    assertThat(d.requirementFiles())
        .extracting(Located::value)
        .containsExactly(Path.of("requirements.txt"));
    assertThat(d.warnings()).isEmpty();
  }

  @Test
  void aDockerfilePylonWroteIsNotReadBackAndOneWithoutAPythonBaseIsIgnored() throws IOException {
    Path file = dir.resolve("Dockerfile");
    Files.writeString(
        file,
        "# Dockerfile for the service \"x\", written by Pylon from the same\nFROM python:3.11\n");
    assertThat(reader.read(file)).isEmpty();

    DockerfileReader.Dockerfile ubuntu = read("FROM ubuntu:24.04\nCMD [\"./serve\"]\n");
    assertThat(ubuntu.followed()).isFalse();
    assertThat(ubuntu.entrypoint()).isEmpty();
    assertThat(messages(ubuntu))
        .contains("builds on `ubuntu:24.04`, not on the official python image");
  }
}
