package dev.pylon.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pylon.spec.ServiceSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
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
  void followsTheHadolintRulesThatMatter(String app) throws Exception {
    ServiceSpec spec = fixtures.spec(app);
    List<Instruction> all = parse(writer.dockerfile(spec));
    Set<String> stages = new HashSet<>();
    int lastFrom = -1;
    for (int i = 0; i < all.size(); i++) {
      Instruction in = all.get(i);
      switch (in.keyword()) {
        case "FROM" -> {
          String[] words = in.args().split("\\s+");
          String image = words[0];
          if (!stages.contains(image)) {
            assertThat(image).as("DL3006: base image tagged").contains(":");
            assertThat(image).as("DL3007: not latest").doesNotEndWith(":latest");
            assertThat(image)
                .as("seed 001: slim base of the resolved Python")
                .isEqualTo("python:" + spec.python().minorVersion() + "-slim");
          }
          if (words.length == 3 && words[1].equalsIgnoreCase("AS")) {
            stages.add(words[2]);
          }
          lastFrom = i;
        }
        case "CMD", "ENTRYPOINT" -> {
          JsonNode json = new ObjectMapper().readTree(in.args());
          assertThat(json.isArray()).as("DL3025: JSON form: " + in.args()).isTrue();
          json.forEach(n -> assertThat(n.isTextual()).isTrue());
        }
        case "WORKDIR" -> assertThat(in.args()).as("DL3000: absolute WORKDIR").startsWith("/");
        case "RUN" -> checkRun(in.args());
        default -> {}
      }
    }
    List<Instruction> last = all.subList(lastFrom, all.size());
    List<Instruction> users = last.stream().filter(i -> i.keyword().equals("USER")).toList();
    assertThat(users).as("DL3002: a USER in the final stage").isNotEmpty();
    String user = users.get(users.size() - 1).args().split(":")[0];
    assertThat(user).as("DL3002: not root").isNotIn("root", "0");
    assertThat(last.stream().filter(i -> i.keyword().equals("CMD"))).hasSize(1);
    assertThat(last).contains(new Instruction("EXPOSE", "8080"));
    assertThat(last).contains(new Instruction("ENV", "PORT=8080"));
    assertThat(last.stream().filter(i -> i.keyword().equals("ENV")).map(Instruction::args))
        .anyMatch(a -> a.contains("PYTHONUNBUFFERED=1") && a.contains("PYTHONDONTWRITEBYTECODE=1"));

    // Seed 002: every install comes before the code is copied, so a code edit reuses it.
    int copyCode = last.indexOf(new Instruction("COPY", ". ."));
    assertThat(copyCode).as("the code is copied").isPositive();
    for (int i = copyCode; i < last.size(); i++) {
      assertThat(last.get(i).keyword())
          .as("nothing runs after the code is copied")
          .isNotEqualTo("RUN");
    }
  }

  private static void checkRun(String command) {
    assertThat(command).as("DL3005").doesNotContain("apt-get upgrade", "apt-get dist-upgrade");
    assertThat(command.split("&&")).as("DL3003: no cd").noneMatch(c -> c.strip().startsWith("cd "));
    if (command.contains(" | ")) {
      assertThat(command).as("DL4006: pipefail").contains("set -o pipefail");
    }
    for (String part : command.split("&&")) {
      List<String> words = List.of(part.strip().split("\\s+"));
      int install = words.indexOf("install");
      if (install < 1 || !words.get(install - 1).endsWith("pip")) {
        continue;
      }
      assertThat(words).as("DL3042: " + part).contains("--no-cache-dir");
      for (int i = install + 1; i < words.size(); i++) {
        String word = words.get(i);
        if (word.equals("-r") || word.equals("--requirement")) {
          i++;
        } else if (!word.startsWith("-")) {
          assertThat(word).as("DL3013: pinned " + word).contains("==");
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
