package dev.pylon.spec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads an App Engine flexible {@code app.yaml}. */
final class AppYamlReader {

  /** What app.yaml says, each value with its place. */
  record AppYaml(
      Path file,
      Optional<Located<String>> service,
      Optional<Located<String>> entrypoint,
      Optional<PythonRequest> python,
      Map<String, String> env,
      List<SpecProblem> errors,
      List<SpecProblem> warnings) {}

  private final YamlReader yaml = new YamlReader();

  AppYaml read(Path file) {
    List<SpecProblem> errors = new ArrayList<>();
    List<SpecProblem> warnings = new ArrayList<>();
    Optional<Located<String>> service = Optional.empty();
    Optional<Located<String>> entrypoint = Optional.empty();
    Optional<PythonRequest> python = Optional.empty();
    Map<String, String> env = new LinkedHashMap<>();
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      errors.add(SpecProblem.ofFile(file, "cannot read: " + e.getMessage(), ""));
      return new AppYaml(file, service, entrypoint, python, env, errors, warnings);
    }
    YamlReader.Parsed parsed = yaml.parse(SourceText.of(file, text));
    errors.addAll(parsed.errors());
    if (parsed.root() == null) {
      return new AppYaml(file, service, entrypoint, python, env, errors, warnings);
    }
    if (!(parsed.root() instanceof YamlNode.Mapping root)) {
      errors.add(
          parsed
              .root()
              .origin()
              .problem(
                  "app.yaml must be a mapping of keys, got " + parsed.root().describe(),
                  "start with `runtime: python` and `env: flex`"));
      return new AppYaml(file, service, entrypoint, python, env, errors, warnings);
    }
    YamlFields fields = new YamlFields(errors);
    for (YamlNode.Entry e : root.entries().values()) {
      switch (e.key()) {
        case "service" -> service = fields.string(e).map(v -> new Located<>(v, e.value().origin()));
        case "entrypoint" ->
            entrypoint = fields.string(e).map(v -> new Located<>(v, e.value().origin()));
        case "env_variables" -> env.putAll(fields.stringMap(e));
        case "runtime_config" -> {
          Optional<YamlNode.Mapping> rc = fields.mapping(e);
          if (rc.isPresent()) {
            python = runtimeVersion(rc.get(), fields, errors);
          }
        }
        default -> {
          // Phase 2 reads the rest of the schema.
        }
      }
    }
    return new AppYaml(file, service, entrypoint, python, env, errors, warnings);
  }

  private static Optional<PythonRequest> runtimeVersion(
      YamlNode.Mapping runtimeConfig, YamlFields fields, List<SpecProblem> errors) {
    Optional<YamlNode.Entry> version = runtimeConfig.entry("runtime_version");
    if (version.isPresent()) {
      Optional<String> text = fields.string(version.get());
      if (text.isEmpty()) {
        return Optional.empty();
      }
      Optional<PythonRequest> request =
          PythonRequest.versionOrPath(text.get(), version.get().value().origin())
              .filter(r -> r.path().isEmpty());
      if (request.isEmpty()) {
        errors.add(
            version
                .get()
                .value()
                .origin()
                .problem(
                    "runtime_version must be a Python version such as \"3.12\", got "
                        + version.get().value().describe(),
                    "quote it, so YAML keeps 3.10 as text: runtime_version: \"3.10\""));
      }
      return request;
    }
    return Optional.empty();
  }
}
