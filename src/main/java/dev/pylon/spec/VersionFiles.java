package dev.pylon.spec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the Python version that {@code .python-version} and {@code runtime.txt} ask for. */
final class VersionFiles {
  private static final Pattern RUNTIME_TXT = Pattern.compile("python-(\\d+(?:\\.\\d+)*)");

  private VersionFiles() {}

  static Optional<PythonRequest> pythonVersion(Path file, List<SpecProblem> warnings) {
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    SourceText source = read(file);
    List<String> lines = source.lines();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      if (line.equals("system")) {
        return Optional.empty(); // pyenv's "whatever python3 the system has"
      }
      Origin at = source.at(i + 1, lines.get(i).indexOf(line) + 1);
      Optional<PythonRequest> r =
          PythonRequest.versionOrPath(line, at).filter(p -> p.path().isEmpty());
      if (r.isEmpty()) {
        // pyenv also accepts names (a pyenv-virtualenv, pypy3.10): not an error, not a request.
        warnings.add(
            at.problem(
                ".python-version names `" + line + "`, which is not a CPython version; ignored",
                "write a version such as 3.12 on the first line, or pass --python"));
      }
      return r;
    }
    return Optional.empty();
  }

  static Optional<PythonRequest> runtimeTxt(Path file, List<SpecProblem> errors) {
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    SourceText source = read(file);
    List<String> lines = source.lines();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty()) {
        continue;
      }
      Origin at = source.at(i + 1, lines.get(i).indexOf(line) + 1);
      Matcher m = RUNTIME_TXT.matcher(line);
      if (!m.matches()) {
        errors.add(
            at.problem(
                "runtime.txt must read like python-3.12.4, got \"" + line + "\"",
                "write `python-` and the version on the first line"));
        return Optional.empty();
      }
      return PythonRequest.versionOrPath(m.group(1), at);
    }
    return Optional.empty();
  }

  private static SourceText read(Path file) {
    try {
      return SourceText.of(file, Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      return SourceText.of(file, "");
    }
  }
}
