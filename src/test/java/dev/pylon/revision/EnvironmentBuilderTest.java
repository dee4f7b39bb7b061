package dev.pylon.revision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pylon.revision.EnvironmentResult.Failed;
import dev.pylon.revision.EnvironmentResult.Ready;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Real venvs, real pip, offline: what a user sees when Pylon prepares an app's environment. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EnvironmentBuilderTest {
  @TempDir Path state;
  @TempDir Path app;

  private final RecordingProgress progress = new RecordingProgress();

  private EnvironmentBuilder builder(Map<String, String> env) {
    return new EnvironmentBuilder(state, progress, env);
  }

  private EnvironmentBuilder offlineBuilder() {
    return builder(SystemPython.OFFLINE);
  }

  private List<Path> requirements(String text) throws IOException {
    Files.writeString(app.resolve("requirements.txt"), text);
    return List.of(Path.of("requirements.txt"));
  }

  @Test
  void buildsAVirtualenvWithTheRequirementsThenReusesIt() throws Exception {
    EnvironmentRequest request = SystemPython.request(app, requirements("flask\n"), true);

    EnvironmentResult first = offlineBuilder().prepare(request);

    assertThat(first).isInstanceOf(Ready.class);
    Ready ready = (Ready) first;
    assertThat(ready.reused()).isFalse();
    assertThat(ready.venv()).isPresent();
    assertThat(ready.venv().get().getParent()).isEqualTo(state.resolve("envs"));
    assertThat(ready.python()).isEqualTo(ready.venv().get().resolve("bin/python"));
    assertThat(SystemPython.run(ready.python(), "import sys, flask; print(sys.prefix)"))
        .isEqualTo(ready.venv().get().toString());
    assertThat(progress.lines).anyMatch(line -> line.contains("flask"));

    progress.steps.clear();
    EnvironmentResult second = offlineBuilder().prepare(request);

    assertThat(second).isInstanceOf(Ready.class);
    assertThat(((Ready) second).reused()).isTrue();
    assertThat(((Ready) second).venv()).isEqualTo(ready.venv());
    assertThat(progress.stepsStartingWith("Installing")).isZero();
  }

  @Test
  void theClassicPathWithTheVirtualenvsOwnPipWorksToo() throws Exception {
    EnvironmentBuilder classic =
        new EnvironmentBuilder(state, progress, SystemPython.OFFLINE, false);

    EnvironmentResult result =
        classic.prepare(SystemPython.request(app, requirements("flask\n"), true));

    assertThat(result).isInstanceOf(Ready.class);
    Ready ready = (Ready) result;
    assertThat(ready.venv().get().resolve("bin/pip")).exists();
    assertThat(SystemPython.run(ready.python(), "import flask; print('ok')")).isEqualTo("ok");
  }

  @Test
  void aCodeOnlyChangeInAnotherFolderReusesTheSameEnvironment(@TempDir Path otherApp)
      throws Exception {
    Ready first =
        (Ready) offlineBuilder().prepare(SystemPython.request(app, requirements("flask\n"), true));
    Files.writeString(otherApp.resolve("requirements.txt"), "flask\n");
    Files.writeString(otherApp.resolve("main.py"), "app = None\n");

    Ready second =
        (Ready)
            offlineBuilder()
                .prepare(
                    SystemPython.request(otherApp, List.of(Path.of("requirements.txt")), true));

    assertThat(second.reused()).isTrue();
    assertThat(second.venv()).isEqualTo(first.venv());
  }

  @Test
  void aChangedRequirementsFileBuildsANewEnvironmentBesideTheOld() throws Exception {
    Ready first =
        (Ready) offlineBuilder().prepare(SystemPython.request(app, requirements("flask\n"), true));

    Ready second =
        (Ready)
            offlineBuilder()
                .prepare(SystemPython.request(app, requirements("flask\nwerkzeug\n"), true));

    assertThat(second.reused()).isFalse();
    assertThat(second.venv()).isNotEqualTo(first.venv());
    assertThat(EnvironmentBuilder.isComplete(first.venv().get())).isTrue();
    assertThat(EnvironmentBuilder.isComplete(second.venv().get())).isTrue();
  }

  @Test
  void aRequirementThatDoesNotExistFailsWithPipsMessageAndLeavesNothing() throws Exception {
    EnvironmentRequest request =
        SystemPython.request(app, requirements("no-such-package-pylon==1.0\n"), true);

    EnvironmentResult result = offlineBuilder().prepare(request);

    assertThat(result).isInstanceOf(Failed.class);
    Failed failed = (Failed) result;
    assertThat(failed.exitCode()).isNotZero();
    assertThat(failed.message())
        .contains("requirements.txt")
        .contains("No matching distribution found for no-such-package-pylon==1.0");
    assertThat(failed.outputTail()).anyMatch(line -> line.contains("no-such-package-pylon==1.0"));
    assertThat(entriesIn(state.resolve("envs"))).isEmpty();
  }

  @Test
  void installsOfflineFromAWheelhouseBuiltFromALocalPackage(@TempDir Path work) throws Exception {
    Path wheelhouse =
        SystemPython.wheelhouseWith(
            work, "pylon-tiny", "pylon_tiny", "def hello():\n    return 'hello from a wheel'\n");
    assertThat(entriesIn(wheelhouse)).anyMatch(name -> name.endsWith(".whl"));

    Map<String, String> env = new HashMap<>(SystemPython.OFFLINE);
    env.put("PIP_FIND_LINKS", wheelhouse.toString());
    EnvironmentResult result =
        builder(env).prepare(SystemPython.request(app, requirements("pylon-tiny==1.0\n"), false));

    assertThat(result).isInstanceOf(Ready.class);
    Ready ready = (Ready) result;
    assertThat(SystemPython.run(ready.python(), "import pylon_tiny; print(pylon_tiny.hello())"))
        .isEqualTo("hello from a wheel");
  }

  @Test
  void installsThePep621AndPoetryLockDependenciesOfAPyproject(@TempDir Path work) throws Exception {
    Path wheelhouse =
        SystemPython.wheelhouseWith(work, "pylon-tiny", "pylon_tiny", "NAME = 'tiny'\n");
    Map<String, String> env = new HashMap<>(SystemPython.OFFLINE);
    env.put("PIP_FIND_LINKS", wheelhouse.toString());
    Files.writeString(
        app.resolve("pyproject.toml"),
        "[project]\nname = \"shop\"\nversion = \"1\"\ndependencies = [\"pylon-tiny>=1\"]\n");

    EnvironmentResult pep621 =
        builder(env).prepare(SystemPython.request(app, List.of(Path.of("pyproject.toml")), false));

    assertThat(pep621).isInstanceOf(Ready.class);
    assertThat(SystemPython.run(((Ready) pep621).python(), "import pylon_tiny as t; print(t.NAME)"))
        .isEqualTo("tiny");

    Files.writeString(
        app.resolve("pyproject.toml"),
        "[tool.poetry]\nname = \"shop\"\n\n[tool.poetry.dependencies]\n"
            + "python = \"^3.11\"\npylon-tiny = \"^1.0\"\n");
    Files.writeString(
        app.resolve("poetry.lock"),
        "[[package]]\nname = \"pylon-tiny\"\nversion = \"1.0\"\ncategory = \"main\"\n");
    EnvironmentResult poetry =
        builder(env)
            .prepare(
                SystemPython.request(
                    app, List.of(Path.of("pyproject.toml"), Path.of("poetry.lock")), false));

    assertThat(poetry).isInstanceOf(Ready.class);
    assertThat(((Ready) poetry).venv()).isNotEqualTo(((Ready) pep621).venv());
    assertThat(progress.lines).contains("pylon-tiny==1.0");
  }

  @Test
  void twoConcurrentBuildsOfOneKeyBothSucceedWithOneBuild() throws Exception {
    EnvironmentRequest request = SystemPython.request(app, requirements("flask\n"), true);
    EnvironmentBuilder one = offlineBuilder();
    EnvironmentBuilder two = offlineBuilder();
    CountDownLatch start = new CountDownLatch(1);

    CompletableFuture<EnvironmentResult> a =
        CompletableFuture.supplyAsync(() -> awaitThen(start, () -> one.prepare(request)));
    CompletableFuture<EnvironmentResult> b =
        CompletableFuture.supplyAsync(() -> awaitThen(start, () -> two.prepare(request)));
    start.countDown();

    List<EnvironmentResult> results =
        List.of(a.get(100, TimeUnit.SECONDS), b.get(100, TimeUnit.SECONDS));
    assertThat(results).allMatch(Ready.class::isInstance);
    assertThat(results.stream().map(r -> ((Ready) r).venv()).distinct()).hasSize(1);
    assertThat(results.stream().filter(r -> !((Ready) r).reused())).hasSize(1);
    assertThat(progress.stepsStartingWith("Creating a virtualenv")).isEqualTo(1);
  }

  @Test
  void anAppWithoutDependencyFilesRunsOnTheBaseInterpreter() {
    EnvironmentResult result =
        offlineBuilder().prepare(SystemPython.request(app, List.of(), false));

    assertThat(result).isInstanceOf(Ready.class);
    assertThat(((Ready) result).python()).isEqualTo(SystemPython.PATH);
    assertThat(((Ready) result).venv()).isEmpty();
    assertThat(state.resolve("envs")).doesNotExist();
  }

  @Test
  void aMissingInterpreterIsAClearFailure() throws Exception {
    EnvironmentRequest request =
        new EnvironmentRequest(
            Path.of("/nonexistent/python3"), "3.11.2", app, requirements("flask\n"), true);

    EnvironmentResult result = offlineBuilder().prepare(request);

    assertThat(result).isInstanceOf(Failed.class);
    assertThat(((Failed) result).message())
        .contains("No Python interpreter was found at /nonexistent/python3")
        .contains("python3-venv");
  }

  @Test
  void anUnfinishedEntryLeftByACrashIsRebuiltNotTrusted() throws Exception {
    EnvironmentRequest request = SystemPython.request(app, requirements("flask\n"), true);
    Path envDir = state.resolve("envs").resolve(EnvironmentKey.of(request));
    Files.createDirectories(envDir.resolve("bin"));
    Files.writeString(envDir.resolve("pyvenv.cfg"), "half written by a killed build\n");

    EnvironmentResult result = offlineBuilder().prepare(request);

    assertThat(result).isInstanceOf(Ready.class);
    assertThat(((Ready) result).reused()).isFalse();
    assertThat(progress.steps).anyMatch(step -> step.startsWith("Removing an unfinished"));
    assertThat(Files.readString(envDir.resolve("pyvenv.cfg"))).contains("home = ");
    assertThat(SystemPython.run(((Ready) result).python(), "import flask; print('ok')"))
        .isEqualTo("ok");
  }

  private static <T> T awaitThen(CountDownLatch latch, java.util.function.Supplier<T> action) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return action.get();
  }

  private static List<String> entriesIn(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries
          .map(path -> path.getFileName().toString())
          .filter(name -> !name.endsWith(".lock"))
          .toList();
    }
  }
}
