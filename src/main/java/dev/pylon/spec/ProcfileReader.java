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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a Heroku-style Procfile: {@code web:} starts each instance, {@code release:} runs once per
 * revision before any instance starts. Other process types are reported, not run.
 */
final class ProcfileReader {
  private static final Pattern LINE = Pattern.compile("^([A-Za-z0-9_-]+)\\s*:\\s*(.*)$");

  record Procfile(
      Optional<Located<String>> web,
      Optional<Located<String>> release,
      List<SpecProblem> errors,
      List<SpecProblem> warnings) {}

  Procfile read(Path file) {
    List<SpecProblem> errors = new ArrayList<>();
    List<SpecProblem> warnings = new ArrayList<>();
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      errors.add(SpecProblem.ofFile(file, "cannot read: " + e.getMessage(), ""));
      return new Procfile(Optional.empty(), Optional.empty(), errors, warnings);
    }
    SourceText source = SourceText.of(file, text);
    Map<String, Located<String>> processes = new LinkedHashMap<>();
    List<String> lines = source.lines();
    for (int i = 0; i < lines.size(); i++) {
      String raw = lines.get(i);
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      Matcher m = LINE.matcher(line);
      Origin origin = source.at(i + 1, raw.indexOf(line) + 1);
      if (!m.matches()) {
        errors.add(
            origin.problem(
                "a Procfile line must be `TYPE: command`",
                "write it like `web: gunicorn --bind :$PORT main:app`"));
        continue;
      }
      String type = m.group(1);
      String command = m.group(2).strip();
      Origin commandOrigin = source.at(i + 1, raw.indexOf(m.group(2)) + 1);
      if (command.isEmpty()) {
        errors.add(origin.problem("`" + type + ":` has no command", "write the command after it"));
        continue;
      }
      if (processes.containsKey(type)) {
        errors.add(
            origin.problem(
                "`"
                    + type
                    + ":` is given twice (first at line "
                    + processes.get(type).origin().line()
                    + ")",
                "keep one of them"));
        continue;
      }
      processes.put(type, new Located<>(command, commandOrigin));
      if (!type.equals("web") && !type.equals("release")) {
        warnings.add(
            origin.problem(
                "Pylon runs only the `web` and `release` process types; `" + type + "` is ignored",
                "run it yourself, or as a separate service"));
      }
    }
    return new Procfile(
        Optional.ofNullable(processes.get("web")),
        Optional.ofNullable(processes.get("release")),
        errors,
        warnings);
  }
}
