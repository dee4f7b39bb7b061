package dev.pylon.export;

import dev.pylon.spec.AppTarget;
import dev.pylon.spec.Dependencies;
import dev.pylon.spec.ServiceSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Dockerfile and {@code .dockerignore} for a service, following seeds 001 and 002: a slim base of
 * the resolved Python, dependencies installed before the code is copied (layer cache), a
 * multi-stage build where a tool is needed only to install (Poetry, pyproject parsing), a non-root
 * user, and the server Pylon chose in a JSON-form CMD that honours {@code $PORT}. Pure: the spec
 * in, text out.
 */
public final class DockerfileWriter {
  /** Where the code lives in the image. */
  static final String APP_DIR = "/app";

  /** The unprivileged user; numeric so Kubernetes {@code runAsNonRoot} can verify it. */
  static final int APP_UID = 10001;

  /** The virtualenv a builder stage fills and the final stage copies. */
  static final String VENV = "/opt/venv";

  /** The port the image listens on unless the platform sets PORT. */
  static final int PORT = 8080;

  /** Pinned, as hadolint DL3013 asks; the releases current on PyPI in November 2026. */
  static final String POETRY_REQUIREMENT = "poetry==2.5.1";

  static final String TOMLI_REQUIREMENT = "tomli==2.5.0";

  /** The Dockerfile. */
  public String dockerfile(ServiceSpec spec) {
    Text out = new Text();
    ContainerCommand command = ContainerCommand.of(spec);
    String base = "python:" + spec.python().minorVersion() + "-slim";
    header(out, spec);
    Dependencies deps = spec.dependencies();
    switch (deps.kind()) {
      case POETRY -> poetryBuilder(out, base, command);
      case PYPROJECT -> pyprojectBuilder(out, spec, base, command);
      case REQUIREMENTS, NONE -> {}
    }
    boolean fromBuilder =
        deps.kind() == Dependencies.Kind.POETRY || deps.kind() == Dependencies.Kind.PYPROJECT;
    if (fromBuilder) {
      out.comment("--- final image: the interpreter, the virtualenv and the code; no build tools");
    } else {
      out.comment(
          "Slim Debian base of the Python version Pylon resolved (seed 001): fewer packages, a smaller attack surface. Pin a digest for byte-identical rebuilds.");
    }
    out.line("FROM " + base);
    out.blank();
    out.comment("Logs reach the platform at once; no .pyc files are written at run time");
    List<String> env = new ArrayList<>(List.of("PYTHONUNBUFFERED=1", "PYTHONDONTWRITEBYTECODE=1"));
    if (fromBuilder) {
      env.add("PATH=\"" + VENV + "/bin:$PATH\"");
    } else {
      env.add("PIP_DISABLE_PIP_VERSION_CHECK=1");
    }
    out.env(env);
    out.blank();
    out.line("WORKDIR " + APP_DIR);
    out.blank();
    out.comment("The service runs as this user, never as root");
    out.line("RUN groupadd --system --gid " + APP_UID + " app \\");
    out.line(
        "    && useradd --system --no-log-init --uid "
            + APP_UID
            + " --gid app --no-create-home app");
    out.blank();
    if (fromBuilder) {
      out.line("COPY --from=builder " + VENV + " " + VENV);
      out.blank();
    } else {
      requirementsInstall(out, spec, command);
    }
    out.comment(
        "The code last, as it changes most often; owned by root, so the service cannot change it");
    out.line("COPY . .");
    Optional<String> settings = spec.app().flatMap(AppTarget::djangoSettings);
    settings.ifPresent(s -> out.line("ENV DJANGO_SETTINGS_MODULE=" + s));
    out.blank();
    notBakedIn(out, spec);
    out.line("USER " + APP_UID + ":" + APP_UID);
    out.comment("Cloud Run and Knative set PORT; " + PORT + " when nothing does");
    out.line("ENV PORT=" + PORT);
    out.line("EXPOSE " + PORT);
    out.comment(String.join(" ", command.why()));
    out.line("CMD " + Json.array(command.cmd()));
    return out.toString();
  }

  /** The {@code .dockerignore}: what must not reach the build context. */
  public String dockerignore(ServiceSpec spec) {
    Text out = new Text();
    out.comment(
        "Written by Pylon: keeps the build context small and local state and secrets out of the image.");
    for (String pattern :
        List.of(
            ".git",
            ".pylon",
            ".venv",
            "venv",
            "**/__pycache__",
            "**/*.pyc",
            "**/*.pyo",
            "**/*.egg-info",
            ".env",
            ".pytest_cache",
            ".mypy_cache",
            ".tox")) {
      out.line(pattern);
    }
    return out.toString();
  }

  private static void header(Text out, ServiceSpec spec) {
    out.comment(
        "Dockerfile for the service \""
            + spec.name()
            + "\", written by Pylon from the same spec `pylon run` uses (`pylon build"
            + " --dockerfile`).");
    out.comment("Python " + spec.python().minorVersion() + "; " + describe(spec.dependencies()));
    out.comment("Server: " + spec.server().reason() + ".");
    out.blank();
  }

  private static String describe(Dependencies deps) {
    return switch (deps.kind()) {
      case NONE -> "no dependencies (standard library only).";
      case REQUIREMENTS -> "dependencies from requirements files.";
      case PYPROJECT -> "dependencies from pyproject.toml [project].dependencies.";
      case POETRY -> "dependencies from Poetry (pyproject.toml, poetry.lock).";
    };
  }

  private static void poetryBuilder(Text out, String base, ContainerCommand command) {
    out.comment(
        "--- builder: Poetry installs the dependencies into "
            + VENV
            + ". Neither Poetry nor anything it needs reaches the final image (seed 002's multi-stage build).");
    out.line("FROM " + base + " AS builder");
    out.env(
        List.of(
            "PYTHONDONTWRITEBYTECODE=1",
            "PIP_DISABLE_PIP_VERSION_CHECK=1",
            "POETRY_NO_INTERACTION=1",
            "VIRTUAL_ENV=" + VENV));
    out.line("WORKDIR " + APP_DIR);
    out.line("RUN python -m venv /opt/poetry \\");
    out.line("    && /opt/poetry/bin/pip install --no-cache-dir " + POETRY_REQUIREMENT + " \\");
    out.line("    && python -m venv " + VENV);
    out.comment(
        "The dependency files alone (the lock when there is one): this stage is rebuilt only when they change, not on every code edit");
    out.line("COPY pyproject.toml poetry.lock* ./");
    out.comment(
        "The main group only, and not the project itself: the code runs from "
            + APP_DIR
            + " "
            + "as Pylon runs it (VIRTUAL_ENV makes Poetry install into "
            + VENV
            + ")");
    Optional<String> extra = command.serverPackage();
    if (extra.isPresent()) {
      out.line("RUN /opt/poetry/bin/poetry install --only main --no-root \\");
      out.line("    && " + VENV + "/bin/pip install --no-cache-dir " + extra.get());
    } else {
      out.line("RUN /opt/poetry/bin/poetry install --only main --no-root");
    }
    out.blank();
  }

  private static void pyprojectBuilder(
      Text out, ServiceSpec spec, String base, ContainerCommand command) {
    boolean hasTomllib = minor(spec) >= 11;
    out.comment(
        "--- builder: installs pyproject.toml [project].dependencies into "
            + VENV
            + "; the final image copies the virtualenv and nothing else (seed 002).");
    out.line("FROM " + base + " AS builder");
    out.env(List.of("PYTHONDONTWRITEBYTECODE=1", "PIP_DISABLE_PIP_VERSION_CHECK=1"));
    out.line("WORKDIR " + APP_DIR);
    if (hasTomllib) {
      out.line("RUN python -m venv " + VENV);
    } else {
      out.comment("Python before 3.11 has no tomllib; tomli stays in this stage");
      out.line("RUN python -m venv " + VENV + " \\");
      out.line("    && pip install --no-cache-dir " + TOMLI_REQUIREMENT);
    }
    out.comment("pyproject.toml alone: this stage is rebuilt only when it changes");
    out.line("COPY pyproject.toml ./");
    out.comment(
        "The dependencies only, not the project itself: the code runs from "
            + APP_DIR
            + " "
            + "as Pylon runs it");
    String module = hasTomllib ? "tomllib" : "tomli as tomllib";
    out.line(
        "RUN python -c \"import "
            + module
            + "; project = tomllib.load(open('pyproject.toml', 'rb'))['project'];"
            + " print(*project.get('dependencies', []), sep=chr(10))\" > requirements.txt \\");
    out.line(
        "    && "
            + VENV
            + "/bin/pip install --no-cache-dir -r requirements.txt"
            + command.serverPackage().map(p -> " " + p).orElse(""));
    out.blank();
  }

  private static int minor(ServiceSpec spec) {
    String[] parts = spec.python().minorVersion().split("\\.");
    try {
      return parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static void requirementsInstall(Text out, ServiceSpec spec, ContainerCommand command) {
    Dependencies deps = spec.dependencies();
    Optional<String> extra = command.serverPackage();
    if (deps.kind() == Dependencies.Kind.NONE) {
      if (extra.isPresent()) {
        out.line("RUN pip install --no-cache-dir " + extra.get());
        out.blank();
      }
      return;
    }
    Map<String, List<String>> byFolder = new LinkedHashMap<>();
    List<String> outside = new ArrayList<>();
    for (Path file : deps.files()) {
      Path relative = relative(spec, file);
      if (relative.startsWith("..") || relative.isAbsolute()) {
        outside.add(file.toString());
        continue;
      }
      String folder = relative.getParent() == null ? "./" : slashes(relative.getParent()) + "/";
      byFolder.computeIfAbsent(folder, f -> new ArrayList<>()).add(slashes(relative));
    }
    out.comment(
        "The dependency files first, then the install: this layer is rebuilt only when they change, not on every code edit (seed 002)");
    for (String folder : outside) {
      out.comment(
          folder
              + " is outside the app folder, so outside the build context: move it into the app folder, or this build fails to find it");
    }
    byFolder.forEach((folder, files) -> out.line("COPY " + String.join(" ", files) + " " + folder));
    String main = slashes(relative(spec, deps.files().get(0)));
    out.line("RUN pip install --no-cache-dir -r " + main + extra.map(p -> " " + p).orElse(""));
    out.blank();
  }

  private static void notBakedIn(Text out, ServiceSpec spec) {
    if (!spec.env().isEmpty()) {
      out.comment(
          "The service's environment ("
              + String.join(", ", spec.env().keySet())
              + ") is not baked into the image: `pylon export` sets it in the manifests.");
    }
    spec.preStart()
        .ifPresent(
            step -> {
              out.comment("Pre-start step (Procfile `release:`): " + step);
              out.comment(
                  "It is not run here: it must run once per release before any replica serves,"
                      + " not at build time nor in every container. Run it as an init step with"
                      + " this image: a Kubernetes initContainer (`pylon export --to kubernetes`"
                      + " writes one), a Job, or a Cloud Run job.");
            });
    if (!spec.env().isEmpty() || spec.preStart().isPresent()) {
      out.blank();
    }
  }

  private static Path relative(ServiceSpec spec, Path file) {
    Path absolute = file.toAbsolutePath().normalize();
    return spec.sourceDir().relativize(absolute);
  }

  private static String slashes(Path path) {
    return path.toString().replace('\\', '/');
  }

  /** Dockerfile text, line by line. */
  private static final class Text {
    private final StringBuilder text = new StringBuilder();

    void line(String line) {
      text.append(line).append('\n');
    }

    void comment(String paragraph) {
      Comments.wrap(paragraph).forEach(this::line);
    }

    void blank() {
      text.append('\n');
    }

    /** One ENV instruction with a variable per line. */
    void env(List<String> assignments) {
      for (int i = 0; i < assignments.size(); i++) {
        String prefix = i == 0 ? "ENV " : "    ";
        String suffix = i == assignments.size() - 1 ? "" : " \\";
        line(prefix + assignments.get(i) + suffix);
      }
    }

    @Override
    public String toString() {
      return text.toString();
    }
  }
}
