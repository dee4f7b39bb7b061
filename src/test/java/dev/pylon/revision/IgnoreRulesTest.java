package dev.pylon.revision;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IgnoreRulesTest {

  @Test
  void gitStylePatternsWithoutASlashMatchAtAnyDepth() {
    IgnoreRules rules = IgnoreRules.gitStyle(List.of("*.log", "!keep.log", "# comment", ""));

    assertThat(rules.excludes("app.log", false)).isTrue();
    assertThat(rules.excludes("logs/deep/app.log", false)).isTrue();
    assertThat(rules.excludes("keep.log", false)).isFalse();
    assertThat(rules.excludes("logs/keep.log", false)).isFalse();
    assertThat(rules.excludes("main.py", false)).isFalse();
  }

  @Test
  void gitStyleAnchoredAndFolderOnlyPatterns() {
    IgnoreRules rules = IgnoreRules.gitStyle(List.of("/build", "docs/", "static/**/*.map"));

    assertThat(rules.excludes("build", true)).isTrue();
    assertThat(rules.excludes("src/build", true)).isFalse();
    assertThat(rules.excludes("docs", true)).isTrue();
    assertThat(rules.excludes("docs", false)).isFalse();
    assertThat(rules.excludes("static/js/app.js.map", false)).isTrue();
    assertThat(rules.excludes("static/app.js.map", false)).isTrue();
    assertThat(rules.excludes("static/js/app.js", false)).isFalse();
  }

  @Test
  void dockerStylePatternsAreAnchoredAndCoverWhatIsInsideAFolder() {
    IgnoreRules rules =
        IgnoreRules.dockerStyle(List.of("*.log", "**/*.tmp", "node_modules", "!node_modules/keep"));

    assertThat(rules.excludes("top.log", false)).isTrue();
    assertThat(rules.excludes("sub/inner.log", false)).isFalse();
    assertThat(rules.excludes("a/b/c.tmp", false)).isTrue();
    assertThat(rules.excludes("node_modules/x/y.js", false)).isTrue();
    assertThat(rules.excludes("node_modules/keep", false)).isFalse();
    assertThat(rules.mayReincludeUnder("node_modules")).isTrue();
  }

  @Test
  void gitAndBytecodeAreAlwaysLeftOut() {
    IgnoreRules none = IgnoreRules.gitStyle(List.of());

    assertThat(none.excludes(".git", true)).isTrue();
    assertThat(none.excludes("pkg/__pycache__", true)).isTrue();
    assertThat(none.excludes("pkg/mod.pyc", false)).isTrue();
    assertThat(none.excludes("pkg/mod.py", false)).isFalse();
  }

  @Test
  void gcloudignoreWinsOverDockerignoreWhichWinsOverGitignore(@TempDir Path app) throws Exception {
    Files.writeString(app.resolve(".gitignore"), "from-git\n");
    assertThat(IgnoreRules.of(app).source()).contains(".gitignore");
    assertThat(IgnoreRules.of(app).excludes("from-git", false)).isTrue();

    Files.writeString(app.resolve(".dockerignore"), "from-docker\n");
    assertThat(IgnoreRules.of(app).source()).contains(".dockerignore");
    assertThat(IgnoreRules.of(app).excludes("from-git", false)).isFalse();

    Files.writeString(app.resolve(".gcloudignore"), "from-gcloud\n#!include:.gitignore\n");
    IgnoreRules rules = IgnoreRules.of(app);
    assertThat(rules.source()).contains(".gcloudignore");
    assertThat(rules.excludes("from-gcloud", false)).isTrue();
    assertThat(rules.excludes("from-git", false)).isTrue();
    assertThat(rules.excludes("from-docker", false)).isFalse();
  }
}
