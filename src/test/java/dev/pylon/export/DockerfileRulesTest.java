package dev.pylon.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pylon.spec.ServiceSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The hadolint rules that matter for these Dockerfiles, checked without hadolint (it is not
 * packaged for this machine's apt): JSON CMD (DL3025), tagged non-latest bases (DL3006, DL3007), no
 * {@code apt-get upgrade} (DL3005), {@code pip install --no-cache-dir} (DL3042) with pinned
 * packages (DL3013), a non-root final USER (DL3002), absolute WORKDIR (DL3000), no {@code cd} in
 * RUN (DL3003), no pipes without pipefail (DL4006); and seed 002's order: dependencies installed
 * before the code is copied.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DockerfileRulesTest {
  private final ExportFixtures fixtures = new ExportFixtures();
  private final DockerfileWriter writer = new DockerfileWriter();

  /** One Dockerfile instruction, continuation lines joined. */
  record Instruction(String keyword, String args) {}

  List<String> apps() {
    return ExportFixtures.appNames();
  }

  static List<Instruction> parse(String dockerfile) {
    List<Instruction> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : dockerfile.lines().toList()) {
      String stripped = line.strip();
      if (current.isEmpty() && (stripped.isEmpty() || stripped.startsWith("#"))) {
        continue;
      }
      if (stripped.endsWith("\\")) {
        current.append(stripped, 0, stripped.length() - 1).append(' ');
        continue;
      }
      current.append(stripped);
      String text = current.toString().strip();
      current.setLength(0);
      int space = text.indexOf(' ');
      out.add(
          new Instruction(
              text.substring(0, space).toUpperCase(Locale.ROOT),
              text.substring(space + 1).strip()));
    }
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("apps")
  void followsTheHadolintRulesThatMatter(String app) {
    ServiceSpec spec = fixtures.spec(app);
    String dockerfile = writer.dockerfile(spec);

    assertThat(violations(dockerfile)).isEmpty();
    assertThat(parse(dockerfile))
        .filteredOn(i -> i.keyword().equals("FROM"))
        .allMatch(
            i -> i.args().startsWith("python:" + spec.python().minorVersion() + "-slim"),
            "seed 001: a slim base of the resolved Python");
  }

  @Test
  void catchesEachRuleItChecks() {
    String bad =
        String.join(
            "\n",
            "FROM python",
            "WORKDIR app",
            "COPY . .",
            "RUN apt-get update && apt-get upgrade -y",
            "RUN cd /tmp && pip install flask",
            "RUN curl -s https://example.com | sh",
            "CMD gunicorn main:app",
            "");

    assertThat(violations(bad))
        .containsExactlyInAnyOrder(
            "DL3006 untagged base image: python",
            "DL3000 relative WORKDIR: app",
            "DL3005 apt-get upgrade: apt-get update && apt-get upgrade -y",
            "DL3003 cd in RUN: cd /tmp && pip install flask",
            "DL3042 pip install without --no-cache-dir: pip install flask",
            "DL3013 unpinned package: flask",
            "DL4006 pipe without pipefail: curl -s https://example.com | sh",
            "DL3025 CMD not in JSON form: gunicorn main:app",
            "DL3002 no non-root USER in the final stage",
            "no EXPOSE 8080",
            "no ENV PORT=8080",
            "no ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1",
            "RUN after the code is copied: apt-get update && apt-get upgrade -y",
            "RUN after the code is copied: cd /tmp && pip install flask",
            "RUN after the code is copied: curl -s https://example.com | sh");
  }

  /** The rules this class checks, as messages; empty when the Dockerfile follows them all. */
  static List<String> violations(String dockerfile) {
    List<String> out = new ArrayList<>();
    List<Instruction> all = parse(dockerfile);
    Set<String> stages = new HashSet<>();
    int lastFrom = 0;
    for (int i = 0; i < all.size(); i++) {
      Instruction in = all.get(i);
      switch (in.keyword()) {
        case "FROM" -> {
          String[] words = in.args().split("\\s+");
          String image = words[0];
          if (!stages.contains(image) && !image.contains(":")) {
            out.add("DL3006 untagged base image: " + image);
          }
          if (image.endsWith(":latest")) {
            out.add("DL3007 latest base image: " + image);
          }
          if (words.length == 3 && words[1].equalsIgnoreCase("AS")) {
            stages.add(words[2]);
          }
          lastFrom = i;
        }
        case "CMD", "ENTRYPOINT" -> {
          if (!isJsonArrayOfStrings(in.args())) {
            out.add("DL3025 " + in.keyword() + " not in JSON form: " + in.args());
          }
        }
        case "WORKDIR" -> {
          if (!in.args().startsWith("/")) {
            out.add("DL3000 relative WORKDIR: " + in.args());
          }
        }
        case "RUN" -> checkRun(in.args(), out);
        default -> {}
      }
    }
    List<Instruction> last = all.subList(lastFrom, all.size());
    List<String> users =
        last.stream().filter(i -> i.keyword().equals("USER")).map(Instruction::args).toList();
    if (users.isEmpty() || List.of("root", "0").contains(users.getLast().split(":")[0])) {
      out.add("DL3002 no non-root USER in the final stage");
    }
    if (last.stream().filter(i -> i.keyword().equals("CMD")).count() != 1) {
      out.add("not exactly one CMD in the final stage");
    }
    if (!last.contains(new Instruction("EXPOSE", "8080"))) {
      out.add("no EXPOSE 8080");
    }
    if (!last.contains(new Instruction("ENV", "PORT=8080"))) {
      out.add("no ENV PORT=8080");
    }
    if (last.stream()
        .filter(i -> i.keyword().equals("ENV"))
        .noneMatch(
            i ->
                i.args().contains("PYTHONUNBUFFERED=1")
                    && i.args().contains("PYTHONDONTWRITEBYTECODE=1"))) {
      out.add("no ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1");
    }
    // Seed 002: every install comes before the code is copied, so a code edit reuses it.
    int copyCode = last.indexOf(new Instruction("COPY", ". ."));
    if (copyCode < 0) {
      out.add("the code is never copied");
    } else {
      last.subList(copyCode, last.size()).stream()
          .filter(i -> i.keyword().equals("RUN"))
          .forEach(i -> out.add("RUN after the code is copied: " + i.args()));
    }
    return out;
  }

  private static boolean isJsonArrayOfStrings(String text) {
    try {
      JsonNode json = new ObjectMapper().readTree(text);
      if (json == null || !json.isArray()) {
        return false;
      }
      for (JsonNode n : json) {
        if (!n.isTextual()) {
          return false;
        }
      }
      return true;
    } catch (JsonProcessingException e) {
      return false;
    }
  }

  private static void checkRun(String command, List<String> out) {
    if (command.contains("apt-get upgrade") || command.contains("apt-get dist-upgrade")) {
      out.add("DL3005 apt-get upgrade: " + command);
    }
    if (Stream.of(command.split("&&|;")).anyMatch(c -> c.strip().startsWith("cd "))) {
      out.add("DL3003 cd in RUN: " + command);
    }
    if (command.contains(" | ") && !command.contains("set -o pipefail")) {
      out.add("DL4006 pipe without pipefail: " + command);
    }
    for (String part : command.split("&&")) {
      List<String> words = List.of(part.strip().split("\\s+"));
      int install = words.indexOf("install");
      if (install < 1 || !words.get(install - 1).endsWith("pip")) {
        continue;
      }
      if (!words.contains("--no-cache-dir")) {
        out.add("DL3042 pip install without --no-cache-dir: " + part.strip());
      }
      for (int i = install + 1; i < words.size(); i++) {
        String word = words.get(i);
        if (word.equals("-r") || word.equals("--requirement")) {
          i++;
        } else if (!word.startsWith("-") && !word.contains("==")) {
          out.add("DL3013 unpinned package: " + word);
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("apps")
  void dockerignoreKeepsLocalStateAndSecretsOut(String app) {
    List<String> patterns = writer.dockerignore(fixtures.spec(app)).lines().toList();
    assertThat(patterns)
        .contains(".git", ".pylon", ".venv", "venv", "**/__pycache__", "**/*.pyc", ".env");
  }
}
