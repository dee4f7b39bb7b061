package dev.pylon.revision;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pylon.revision.RevisionResult.Built;
import dev.pylon.revision.RevisionResult.Failed;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Whole builds of a small Flask app, offline, over Debian's packages. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RevisionBuilderTest {
  private static final Logger log = LoggerFactory.getLogger(RevisionBuilderTest.class);

  @TempDir Path state;
  @TempDir Path app;

  private final RecordingProgress progress = new RecordingProgress();
  private RevisionBuilder builder;

  @BeforeEach
  void setUp() throws Exception {
    builder = new RevisionBuilder(state, progress, SystemPython.OFFLINE, Duration.ofSeconds(30));
    Files.writeString(app.resolve("requirements.txt"), "flask\n");
    Files.writeString(
        app.resolve("main.py"),
        "from flask import Flask\napp = Flask(__name__)\n\n@app.get('/')\ndef hello():\n"
            + "    return 'hello'\n");
  }

  private RevisionRequest request(Optional<String> preStart) {
    return new RevisionRequest(
        "hello",
        app,
        SystemPython.request(app, List.of(Path.of("requirements.txt")), true),
        preStart,
        Map.of("GREETING", "hi"),
        List.of("entrypoint=gunicorn main:app"));
  }

  private static Map<String, String> outcomes(RevisionResult result) {
    return result.summary().steps().stream()
        .collect(
            Collectors.toMap(StepTiming::name, StepTiming::outcome, (a, b) -> b, TreeMap::new));
  }

  @Test
  void aCodeOnlyChangeReusesTheEnvironmentAndTheSameSourceReusesEverything() throws Exception {
    Optional<String> preStart = Optional.of("echo \"migrating $K_REVISION with $GREETING\"");

    RevisionResult cold = builder.build(request(preStart));
    Files.writeString(app.resolve("main.py"), "\n# a one-line change\n", StandardOpenOption.APPEND);
    RevisionResult codeChange = builder.build(request(preStart));
    RevisionResult again = builder.build(request(preStart));

    assertThat(cold).isInstanceOf(Built.class);
    assertThat(outcomes(cold))
        .containsEntry("environment", "built")
        .containsEntry("snapshot", "built")
        .containsEntry("pre-start", "done");
    Revision first = ((Built) cold).revision();
    assertThat(progress.lines).contains("migrating " + first.id() + " with hi");
    assertThat(
            SystemPython.exec(
                List.of(first.python().toString(), "-c", "import main; print(main.app.name)"),
                first.dir(),
                Map.of()))
        .isEqualTo("main");

    assertThat(outcomes(codeChange))
        .containsEntry("environment", "reused")
        .containsEntry("snapshot", "built")
        .containsEntry("pre-start", "done");
    Revision second = ((Built) codeChange).revision();
    assertThat(second.id()).isNotEqualTo(first.id());
    assertThat(second.venv()).isEqualTo(first.venv());

    assertThat(again.summary().fullyCached()).isTrue();
    assertThat(outcomes(again)).containsEntry("pre-start", "reused");
    assertThat(((Built) again).revision()).isEqualTo(second);
    assertThat(cold.summary().environmentBytes()).isPositive();
    assertThat(cold.summary().sourceFiles()).isEqualTo(2);

    String json = new ObjectMapper().writeValueAsString(again.summary().toJsonMap());
    assertThat(json)
        .contains("\"revision\":\"" + second.id() + "\"")
        .contains("{\"name\":\"environment\",\"outcome\":\"reused\",\"millis\":");

    log.info(
        "cold build {} ms, code-only rebuild {} ms, unchanged rebuild {} ms",
        cold.summary().total().toMillis(),
        codeChange.summary().total().toMillis(),
        again.summary().total().toMillis());
  }

  @Test
  void twoConcurrentBuildsOfTheSameSourceMakeOneRevisionAndRunThePreStartStepOnce()
      throws Exception {
    Path count = state.resolve("pre-start-count");
    Optional<String> preStart = Optional.of("echo ran >> " + count);
    RevisionBuilder other =
        new RevisionBuilder(state, progress, SystemPython.OFFLINE, Duration.ofSeconds(30));
    CountDownLatch start = new CountDownLatch(1);

    CompletableFuture<RevisionResult> a =
        CompletableFuture.supplyAsync(
            () -> awaitThen(start, () -> builder.build(request(preStart))));
    CompletableFuture<RevisionResult> b =
        CompletableFuture.supplyAsync(() -> awaitThen(start, () -> other.build(request(preStart))));
    start.countDown();
    RevisionResult first = a.get(100, TimeUnit.SECONDS);
    RevisionResult second = b.get(100, TimeUnit.SECONDS);

    assertThat(first).isInstanceOf(Built.class);
    assertThat(second).isInstanceOf(Built.class);
    assertThat(((Built) first).revision()).isEqualTo(((Built) second).revision());
    assertThat(Files.readAllLines(count)).containsExactly("ran");
    try (var children = Files.list(state.resolve("revisions/hello"))) {
      assertThat(children.filter(Files::isDirectory)).hasSize(1);
    }
  }

  private static <T> T awaitThen(CountDownLatch latch, Supplier<T> action) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return action.get();
  }

  @Test
  void appModulesNamedLikeTheStandardLibraryDoNotBreakTheBuildTools() throws Exception {
    Files.writeString(app.resolve("venv.py"), "raise SystemExit('the app venv.py ran')\n");
    Files.createDirectories(app.resolve("concurrent"));
    Files.writeString(
        app.resolve("concurrent/__init__.py"), "raise ImportError('the app concurrent ran')\n");

    RevisionResult result = builder.build(request(Optional.empty()));

    assertThat(result).isInstanceOf(Built.class);
    Revision revision = ((Built) result).revision();
    assertThat(revision.dir().resolve("__pycache__/main.cpython-311.pyc")).exists();
    assertThat(progress.steps).noneMatch(step -> step.contains("did not compile"));
  }

  @Test
  void aServiceNameThatIsNotAFolderNameIsAFailureValue() {
    RevisionRequest bad =
        new RevisionRequest(
            "../Hello",
            app,
            SystemPython.request(app, List.of(), false),
            Optional.empty(),
            Map.of(),
            List.of());

    RevisionResult result = builder.build(bad);

    assertThat(result).isInstanceOf(Failed.class);
    assertThat(((Failed) result).message())
        .startsWith("The service name '../Hello' must start with a lowercase letter");
  }

  @Test
  void aFailingPreStartStepFailsTheBuildAndLeavesThePreviousRevisionAsItWas() throws Exception {
    Revision serving = ((Built) builder.build(request(Optional.of("true")))).revision();
    String servingCode = Files.readString(serving.dir().resolve("main.py"));
    Files.writeString(app.resolve("main.py"), "app = None\n");

    RevisionResult result =
        builder.build(request(Optional.of("echo 'relation does not exist' >&2; exit 1")));

    assertThat(result).isInstanceOf(Failed.class);
    Failed failed = (Failed) result;
    assertThat(failed.exitCode()).isEqualTo(1);
    assertThat(failed.outputTail()).containsExactly("relation does not exist");
    assertThat(outcomes(result)).containsEntry("pre-start", "failed");
    assertThat(serving.dir().resolve("main.py")).hasContent(servingCode.strip());
    assertThat(PreStartRunner.markerOf(serving.dir())).exists();
    assertThat(EnvironmentBuilder.isComplete(serving.venv().get())).isTrue();
  }

  @Test
  void aFailingPipInstallFailsBeforeAnyRevisionIsMade() throws Exception {
    Revision serving = ((Built) builder.build(request(Optional.empty()))).revision();
    Files.writeString(app.resolve("requirements.txt"), "flask\nno-such-package-pylon==1.0\n");

    RevisionResult result = builder.build(request(Optional.empty()));

    assertThat(result).isInstanceOf(Failed.class);
    assertThat(((Failed) result).message()).contains("no-such-package-pylon==1.0");
    assertThat(result.summary().revisionId()).isEmpty();
    assertThat(outcomes(result)).containsOnlyKeys("environment").containsValue("failed");
    try (var revisions = Files.list(state.resolve("revisions/hello"))) {
      assertThat(revisions.filter(Files::isDirectory)).containsExactly(serving.dir());
    }
    assertThat(EnvironmentBuilder.isComplete(serving.venv().get())).isTrue();
  }
}
