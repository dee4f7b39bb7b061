package dev.pylon.revision;

import dev.pylon.revision.EnvironmentResult.Ready;
import dev.pylon.spec.InstanceEnvironment;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A whole build: source folder to a revision ready to start. The steps, in the order of a
 * cache-friendly Dockerfile (seed 002): dependencies first, from the cache when their files did not
 * change; then the code, snapshotted and compiled; then the pre-start step.
 *
 * <p>A failure at any step returns {@link RevisionResult.Failed} and leaves every existing revision
 * and environment as it was: new environments and snapshots are only ever added beside the old
 * ones, never changed in place.
 */
public final class RevisionBuilder {
  private final BuildProgress progress;
  private final EnvironmentBuilder environments;
  private final RevisionSnapshots snapshots;
  private final PreStartRunner preStart;

  public RevisionBuilder(Path stateDir, BuildProgress progress) {
    this(stateDir, progress, Map.of(), PreStartRunner.DEFAULT_TIMEOUT);
  }

  /**
   * @param extraEnv added to the environment of pip and the other build tools (not of the pre-start
   *     step, which gets the revision's variables)
   * @param preStartTimeout how long the pre-start step may run
   */
  public RevisionBuilder(
      Path stateDir,
      BuildProgress progress,
      Map<String, String> extraEnv,
      Duration preStartTimeout) {
    this.progress = progress;
    this.environments = new EnvironmentBuilder(stateDir, progress, extraEnv);
    this.snapshots = new RevisionSnapshots(stateDir, progress, extraEnv);
    this.preStart = new PreStartRunner(progress, preStartTimeout);
  }

  /**
   * Builds the revision. Never throws for a problem a user can fix (a bad service name, a pip
   * failure, a failing pre-start step); returns {@link RevisionResult.Failed} instead.
   */
  public RevisionResult build(RevisionRequest request) {
    Tally tally = new Tally(request.service());
    try {
      RevisionSnapshots.requireServiceName(request.service());
    } catch (IllegalArgumentException e) {
      return new RevisionResult.Failed(
          "The " + e.getMessage() + "; choose another name.", -1, List.of(), tally.summary());
    }

    long started = System.nanoTime();
    EnvironmentResult environment = environments.prepare(request.environment());
    if (environment instanceof EnvironmentResult.Failed failed) {
      tally.step("environment", started, "failed");
      return new RevisionResult.Failed(
          failed.message(), failed.exitCode(), failed.outputTail(), tally.summary());
    }
    Ready ready = (Ready) environment;
    tally.environmentReused = ready.reused();
    tally.step(
        "environment",
        started,
        ready.venv().isEmpty() ? "skipped" : ready.reused() ? "reused" : "built");
    try {
      tally.environmentBytes = ready.venv().isPresent() ? FileTrees.sizeOf(ready.venv().get()) : 0;
    } catch (IOException e) {
      tally.environmentBytes = -1;
    }

    started = System.nanoTime();
    Snapshot snapshot;
    try {
      snapshot =
          snapshots.take(request.service(), request.appDir(), ready.python(), identity(request));
    } catch (IOException e) {
      tally.step("snapshot", started, "failed");
      return new RevisionResult.Failed(
          "Pylon could not copy "
              + request.appDir()
              + " into a revision ("
              + e
              + "). Check that the folder is readable and the state directory writable, with"
              + " free space.",
          -1,
          List.of(),
          tally.summary());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      tally.step("snapshot", started, "failed");
      EnvironmentResult.Failed interrupted = EnvironmentProblems.interrupted();
      return new RevisionResult.Failed(interrupted.message(), -1, List.of(), tally.summary());
    }
    tally.revisionId = Optional.of(snapshot.revisionId());
    tally.snapshotReused = snapshot.reused();
    tally.sourceFiles = snapshot.files();
    tally.sourceBytes = snapshot.bytes();
    tally.step("snapshot", started, snapshot.reused() ? "reused" : "built");

    if (request.preStartCommand().isPresent()) {
      started = System.nanoTime();
      Map<String, String> variables =
          new TreeMap<>(
              InstanceEnvironment.cloudRunNames(request.service(), snapshot.revisionId()));
      variables.putAll(request.variables());
      PreStartResult result =
          preStart.run(snapshot.dir(), request.preStartCommand().get(), ready.venv(), variables);
      if (result instanceof PreStartResult.Failed failed) {
        tally.step("pre-start", started, "failed");
        return new RevisionResult.Failed(
            failed.message(), failed.exitCode(), failed.outputTail(), tally.summary());
      }
      tally.step(
          "pre-start", started, ((PreStartResult.Done) result).alreadyDone() ? "reused" : "done");
    }
    progress.step("Revision " + snapshot.revisionId() + " is ready");
    return new RevisionResult.Built(
        new Revision(
            request.service(), snapshot.revisionId(), snapshot.dir(), ready.python(), ready.venv()),
        tally.summary());
  }

  /** What besides the files makes a revision different. */
  private static List<String> identity(RevisionRequest request) throws IOException {
    List<String> identity = new ArrayList<>();
    identity.add("environment=" + EnvironmentKey.of(request.environment()));
    request.preStartCommand().ifPresent(command -> identity.add("pre-start=" + command));
    new TreeMap<>(request.variables())
        .forEach((name, value) -> identity.add("env:" + name + "=" + value));
    request.configIdentity().forEach(part -> identity.add("config=" + part));
    return identity;
  }

  /** The summary as the build goes. */
  private static final class Tally {
    private final String service;
    private final long started = System.nanoTime();
    private final List<StepTiming> steps = new ArrayList<>();
    private Optional<String> revisionId = Optional.empty();
    private boolean environmentReused;
    private boolean snapshotReused;
    private int sourceFiles;
    private long sourceBytes;
    private long environmentBytes;

    Tally(String service) {
      this.service = service;
    }

    void step(String name, long stepStarted, String outcome) {
      steps.add(new StepTiming(name, Duration.ofNanos(System.nanoTime() - stepStarted), outcome));
    }

    BuildSummary summary() {
      return new BuildSummary(
          service,
          revisionId,
          steps,
          environmentReused,
          snapshotReused,
          sourceFiles,
          sourceBytes,
          environmentBytes,
          Duration.ofNanos(System.nanoTime() - started));
    }
  }
}
