package dev.pylon.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.Reader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Table-driven: every folder under {@code src/test/resources/spec/apps} is an app, and its {@code
 * expected.properties} says what Pylon must make of it. Keys that are absent are not checked. See
 * {@code spec/apps/README.md} for the keys.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FixtureAppsTest {
  // One finder for the class: it asks each interpreter its version once.
  private final PythonFinder finder = TestPythons.FINDER;
  private final SpecLoader loader = new SpecLoader(finder);

  static Stream<String> apps() throws IOException, URISyntaxException {
    try (Stream<Path> dirs = Files.list(appsRoot())) {
      return dirs
          .filter(d -> Files.isRegularFile(d.resolve("expected.properties")))
          .map(d -> d.getFileName().toString())
          .sorted()
          .toList()
          .stream();
    }
  }

  static Path appsRoot() throws URISyntaxException {
    return Path.of(FixtureAppsTest.class.getResource("/spec/apps").toURI());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("apps")
  void appFolderIsUnderstoodAsExpected(String app) throws Exception {
    Path dir = appsRoot().resolve(app);
    Properties expected = new Properties();
    try (Reader r =
        Files.newBufferedReader(dir.resolve("expected.properties"), StandardCharsets.UTF_8)) {
      expected.load(r);
    }
    SpecOverrides overrides = SpecOverrides.none();
    if (expected.containsKey("flags.app")) {
      overrides = overrides.withApp(expected.getProperty("flags.app"));
    }
    if (expected.containsKey("flags.entrypoint")) {
      overrides = overrides.withEntrypoint(expected.getProperty("flags.entrypoint"));
    }
    if (expected.containsKey("flags.python")) {
      overrides = overrides.withPython(expected.getProperty("flags.python"));
    }
    if (expected.containsKey("flags.threads")) {
      overrides = overrides.withThreads(Integer.parseInt(expected.getProperty("flags.threads")));
    }
    if (expected.containsKey("flags.instances")) {
      overrides =
          overrides.withInstances(Integer.parseInt(expected.getProperty("flags.instances")));
    }
    if (expected.containsKey("flags.service")) {
      overrides = overrides.withService(expected.getProperty("flags.service"));
    }

    SpecResult result = loader.load(dir, overrides);
    List<String> mismatches = new ArrayList<>();
    boolean expectErrors =
        expected.stringPropertyNames().stream().anyMatch(k -> k.startsWith("error"));
    switch (result) {
      case SpecResult.Invalid invalid -> {
        if (!expectErrors) {
          fail("expected a spec, got errors:\n" + relative(invalid.render(), dir));
        }
        checkProblems("error", invalid.errors(), expected, dir, mismatches);
      }
      case SpecResult.Loaded loaded -> {
        if (expectErrors) {
          fail(
              "expected errors, got a spec:\n"
                  + SpecReport.human(loaded.spec(), loaded.warnings()));
        }
        checkProblems("warning", loaded.warnings(), expected, dir, mismatches);
        checkSpec(loaded.spec(), expected, mismatches);
      }
    }
    assertThat(mismatches).as("mismatches for " + app).isEmpty();
  }

  private static void checkSpec(ServiceSpec s, Properties expected, List<String> mismatches) {
    for (String key : expected.stringPropertyNames()) {
      String want = expected.getProperty(key);
      String got =
          switch (key) {
            case "name" -> s.name();
            case "app" -> s.app().map(AppTarget::reference).orElse("none");
            case "app.kind" -> s.app().map(a -> a.kind().name()).orElse("none");
            case "app.djangoSettings" -> s.app().flatMap(AppTarget::djangoSettings).orElse("none");
            case "app.decidedBy" -> s.app().map(AppTarget::decidedBy).orElse("none");
            case "app.importRoot" -> s.app().map(a -> a.importRoot().toString()).orElse("none");
            case "server.kind" -> s.server().kind().name();
            case "server.command" -> s.server().displayCommand();
            case "server.reason" -> s.server().reason();
            case "deps.kind" -> s.dependencies().kind().name();
            case "deps.packages" -> String.join(",", s.dependencies().packages());
            case "deps.requirements" -> String.join(",", s.dependencies().requirements());
            case "deps.files" ->
                String.join(
                    ",",
                    s.dependencies().files().stream()
                        .map(f -> s.sourceDir().relativize(f.toAbsolutePath()).toString())
                        .toList());
            case "deps.decidedBy" -> s.dependencies().decidedBy();
            case "python.version" -> s.python().version();
            case "python.minor" -> s.python().minorVersion();
            case "python.executable" -> s.python().executable().toString();
            case "python.decidedBy" -> s.python().decidedBy();
            case "python.decidedBy.contains" ->
                s.python().decidedBy().contains(want) ? want : s.python().decidedBy();
            case "threads" -> Integer.toString(s.threads());
            case "instances" ->
                s.instances().isPresent() ? Integer.toString(s.instances().getAsInt()) : "none";
            case "prestart" -> s.preStart().orElse("none");
            case "scaling" ->
                s.scaling().minInstances()
                    + ".."
                    + s.scaling().maxInstances()
                    + " target "
                    + YamlFields.plain(s.scaling().targetConcurrency())
                    + " at "
                    + YamlFields.plain(s.scaling().targetUtilization())
                    + " cooldown "
                    + s.scaling().coolDown().toSeconds()
                    + "s";
            case "scaling.decidedBy" -> s.scaling().decidedBy();
            case "concurrency" ->
                s.concurrency().maxPerInstance()
                    + " timeout "
                    + s.concurrency().requestTimeout().toSeconds()
                    + "s";
            case "resources" ->
                "cpu "
                    + YamlFields.plain(s.resources().cpu())
                    + " memory "
                    + (s.resources().memoryMb().isPresent()
                        ? s.resources().memoryMb().getAsLong() + "MB"
                        : "none")
                    + " disk "
                    + YamlFields.plain(s.resources().diskGb());
            case "readiness" -> describe(s.probes().readiness());
            case "liveness" -> describe(s.probes().liveness());
            case "fromAppYaml" -> Boolean.toString(s.fromAppYaml());
            case "http2" -> Boolean.toString(s.http2());
            default -> {
              if (key.startsWith("env.")) {
                yield s.env().getOrDefault(key.substring(4), "unset");
              }
              yield want; // flags.*, error.*, warning.*: checked elsewhere
            }
          };
      if (!want.equals(got)) {
        mismatches.add(key + ": expected <" + want + "> but was <" + got + ">");
      }
    }
  }

  private static String describe(Probe p) {
    return p.describe()
        + " every "
        + p.period().toMillis()
        + "ms timeout "
        + p.timeout().toMillis()
        + "ms delay "
        + p.initialDelay().toSeconds()
        + "s fail "
        + p.failureThreshold()
        + " ok "
        + p.successThreshold()
        + " start "
        + p.startTimeout().toSeconds()
        + "s";
  }

  private static void checkProblems(
      String kind,
      List<SpecProblem> problems,
      Properties expected,
      Path dir,
      List<String> mismatches) {
    String all = String.join("\n", problems.stream().map(p -> relative(p.render(), dir)).toList());
    if (expected.containsKey(kind + "s.count")) {
      String want = expected.getProperty(kind + "s.count");
      if (!want.equals(Integer.toString(problems.size()))) {
        mismatches.add(
            kind + "s.count: expected " + want + " but was " + problems.size() + ":\n" + all);
      }
    }
    for (int i = 1; i <= problems.size() + 5; i++) {
      String key = kind + "." + i;
      if (!expected.containsKey(key)
          && !expected.containsKey(key + ".hint")
          && !expected.containsKey(key + ".hint.contains")
          && !expected.containsKey(key + ".quoted")) {
        continue;
      }
      if (i > problems.size()) {
        mismatches.add(
            key + ": expected a " + kind + " but there are only " + problems.size() + ":\n" + all);
        continue;
      }
      SpecProblem p = problems.get(i - 1);
      String first = relative(p.location(), dir) + ": " + p.message();
      check(expected, key, first, mismatches, all);
      check(expected, key + ".hint", p.hint(), mismatches, all);
      check(expected, key + ".quoted", p.sourceLine().strip(), mismatches, all);
      if (expected.containsKey(key + ".hint.contains")
          && !p.hint().contains(expected.getProperty(key + ".hint.contains"))) {
        mismatches.add(
            key
                + ".hint.contains: <"
                + expected.getProperty(key + ".hint.contains")
                + "> not in <"
                + p.hint()
                + ">");
      }
    }
  }

  private static void check(
      Properties expected, String key, String got, List<String> mismatches, String all) {
    if (expected.containsKey(key) && !expected.getProperty(key).equals(got)) {
      mismatches.add(
          key
              + ": expected <"
              + expected.getProperty(key)
              + "> but was <"
              + got
              + ">\nall:\n"
              + all);
    }
  }

  private static String relative(String text, Path dir) {
    return text.replace(dir + "/", "").replace(dir.toString(), ".");
  }
}
