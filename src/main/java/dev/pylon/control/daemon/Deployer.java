package dev.pylon.control.daemon;

import dev.pylon.control.BuildSummaries;
import dev.pylon.control.ContainerMode;
import dev.pylon.control.RevisionRequests;
import dev.pylon.revision.BuildProgress;
import dev.pylon.revision.Revision;
import dev.pylon.revision.RevisionBuilder;
import dev.pylon.revision.RevisionResult;
import dev.pylon.revision.StandalonePythons;
import dev.pylon.runtime.StartOutcome;
import dev.pylon.spec.PythonFinder;
import dev.pylon.spec.ServiceSpec;
import dev.pylon.spec.SpecLoader;
import dev.pylon.spec.SpecOverrides;
import dev.pylon.spec.SpecProblem;
import dev.pylon.spec.SpecResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

/**
 * Makes revisions and moves traffic: a deploy builds the folder, starts the new revision beside the
 * serving one, and moves traffic only once it is ready. A revision that never gets ready keeps no
 * traffic and what was serving keeps serving (Cloud Run's behaviour).
 *
 * <p>Changes of traffic are made one at a time (one lock), so two deploys never interleave. A
 * gradual rollout lets go of the lock between its steps, so other deploys and traffic changes do
 * not wait for it; if one changes the service's traffic meanwhile, that change wins and the rollout
 * stops where it was.
 */
final class Deployer {
  /** How long a deploy waits for the reconciler to route to what it just made ready. */
  private static final Duration ROUTES_PUBLISHED = Duration.ofSeconds(10);

  static final List<Integer> ROLLOUT_STEPS = List.of(10, 25, 50, 75);
  private static final Pattern TAG = Pattern.compile("[a-z]([a-z0-9-]{0,44}[a-z0-9])?");

  private final Store store;
  private final Reconciler reconciler;
  private final Path stateDir;
  private final Duration startTimeout;
  private final int routerPort;
  private final Clock clock;
  private final ReentrantLock changes = new ReentrantLock();

  Deployer(
      Store store,
      Reconciler reconciler,
      Path stateDir,
      Duration startTimeout,
      int routerPort,
      Clock clock) {
    this.store = store;
    this.reconciler = reconciler;
    this.stateDir = stateDir;
    this.startTimeout = startTimeout;
    this.routerPort = routerPort;
    this.clock = clock;
  }

  /** Builds the folder into a new revision and rolls it out. */
  DeployResult deploy(DeployRequest request, BuildProgress progress)
      throws AdminError, InterruptedException {
    if (request.tag().isPresent()) {
      requireTag(request.tag().get());
    }
    Optional<ContainerMode> containers = DeployContainers.mode(request);
    Path dir = request.dir().toAbsolutePath().normalize();
    if (!Files.isDirectory(dir)) {
      throw AdminError.invalid(
          dir + " is not a folder",
          "give `pylon deploy` the folder that holds your app (the daemon must be able to read it)");
    }
    SpecOverrides overrides = SpecOverrides.none();
    if (request.service().isPresent()) {
      overrides = overrides.withService(request.service().get());
    }
    if (request.python().isPresent()) {
      overrides = overrides.withPython(request.python().get());
    }
    if (request.entrypoint().isPresent()) {
      overrides = overrides.withEntrypoint(request.entrypoint().get());
    }
    if (request.app().isPresent()) {
      overrides = overrides.withApp(request.app().get());
    }
    ServiceSpec spec =
        switch (new SpecLoader(
                PythonFinder.withProvisioned(stateDir),
                StandalonePythons.automatic(stateDir, System.getenv(), progress::step))
            .withProbeCache(stateDir.resolve("probe-cache"))
            .load(dir, overrides)) {
          case SpecResult.Loaded loaded -> {
            loaded.warnings().forEach(w -> progress.step("warning: " + w.render()));
            yield loaded.spec();
          }
          case SpecResult.Invalid invalid ->
              throw AdminError.appFailed(
                  "the app in " + dir + " cannot be served as it is",
                  "fix the problems listed and deploy again",
                  invalid.errors().stream().map(SpecProblem::render).toList());
        };
    changes.lockInterruptibly();
    try {
      progress.step("Building " + spec.name() + " from " + dir);
      RevisionResult result =
          new RevisionBuilder(stateDir, progress)
              .build(RevisionRequests.of(spec, request.systemSitePackages(), Optional.empty()));
      Revision built =
          switch (result) {
            case RevisionResult.Built ok -> {
              progress.step(BuildSummaries.oneLine(ok.summary()));
              yield ok.revision();
            }
            case RevisionResult.Failed failed ->
                throw AdminError.appFailed(
                    failed.message(),
                    "nothing that was serving changed; fix the app and deploy again",
                    failed.outputTail());
          };
      ServiceRecord service = store.ensureService(spec.name(), clock.instant());
      applyDeclaredScaling(spec);
      // The id is allocated by the store; the launch spec names it, so it is made in two steps.
      RevisionRecord draft =
          store.addRevision(
              spec.name(),
              built.python().toString(),
              built.venv().map(Path::toString),
              RevisionLauncher.summary(spec, built),
              DeployContainers.plan(
                  RevisionLauncher.launchSpec(
                      spec,
                      built,
                      "pending",
                      stateDir,
                      Optional.empty(),
                      spec.resources().memoryMb(),
                      OptionalDouble.empty()),
                  containers,
                  spec,
                  stateDir,
                  progress),
              service.env(),
              clock.instant());
      return rollout(draft, request.noTraffic(), request.tag(), request.rollout(), progress);
    } finally {
      changes.unlock();
    }
  }

  /**
   * Sets the service's variables and rolls out a revision of its newest code with them (a changed
   * variable is a new revision, as on Cloud Run). Empty when the service has no revision yet.
   */
  Optional<DeployResult> updateEnv(
      String service, Map<String, String> set, List<String> unset, BuildProgress progress)
      throws AdminError, InterruptedException {
    changes.lockInterruptibly();
    try {
      ServiceRecord record =
          store.service(service).orElseThrow(() -> AdminError.noService(service));
      Map<String, String> env = new TreeMap<>(record.env());
      unset.forEach(env::remove);
      env.putAll(set);
      store.setEnv(service, env);
      // The newest code that worked: a revision that never got ready is not copied.
      Optional<RevisionRecord> newest =
          store.revisions(service).stream()
              .filter(RevisionRecord::everReady)
              .max(Comparator.comparingInt(RevisionRecord::number));
      if (newest.isEmpty()) {
        return Optional.empty();
      }
      RevisionRecord base = newest.get();
      RevisionRecord next =
          store.addRevision(
              service,
              base.python(),
              base.venv(),
              base.summary(),
              base.launch(),
              env,
              clock.instant());
      progress.step("Made " + next.id() + " from " + base.id() + " with the new variables");
      return Optional.of(rollout(next, false, Optional.empty(), Duration.ZERO, progress));
    } finally {
      changes.unlock();
    }
  }

  /** Forgets the service, its revisions and traffic; the reconciler then stops its instances. */
  void delete(String service) throws AdminError, InterruptedException {
    changes.lockInterruptibly();
    try {
      if (!store.deleteService(service)) {
        throw AdminError.noService(service);
      }
      store.addEvent(clock.instant(), service, "", "", "deleted", "");
      reconciler.poke();
    } finally {
      changes.unlock();
    }
  }

  /**
   * Gives a revision that was ready a tag (its own URL, {@code TAG---SERVICE}), moving the tag if
   * another revision had it. The traffic shares stay as they are.
   */
  void tag(String service, String revisionId, String tag) throws AdminError, InterruptedException {
    requireTag(tag);
    changes.lockInterruptibly();
    try {
      ServiceRecord record =
          store.service(service).orElseThrow(() -> AdminError.noService(service));
      List<RevisionRecord> revisions = store.revisions(service);
      RevisionRecord revision =
          revisions.stream()
              .filter(r -> r.id().equals(revisionId))
              .findFirst()
              .orElseThrow(
                  () ->
                      AdminError.notFound(
                          service + " has no revision " + revisionId,
                          "see its revisions with `pylon revisions " + service + "`"));
      if (!revision.everReady()) {
        throw AdminError.conflict(
            revision.id() + " was never ready, so a tag cannot route to it",
            "tag a revision that was ready");
      }
      List<TrafficTarget> next = new ArrayList<>();
      for (TrafficTarget target : record.traffic()) {
        if (target.percent() > 0) {
          next.add(new TrafficTarget(target.revision(), target.percent(), Optional.empty()));
        }
      }
      next.addAll(tagsOnly(record.traffic(), Optional.of(tag), revisions));
      next.add(TrafficTarget.tag(revision.id(), tag));
      warmUpThen(List.of(revision.id()), () -> store.setTraffic(service, next));
      store.addEvent(clock.instant(), service, revision.id(), "", "tagged", tag);
    } finally {
      changes.unlock();
    }
  }

  /** Sends all traffic to the newest ready revision before the one serving most of it. */
  RevisionRecord rollback(String service) throws AdminError, InterruptedException {
    changes.lockInterruptibly();
    try {
      ServiceRecord record =
          store.service(service).orElseThrow(() -> AdminError.noService(service));
      List<RevisionRecord> revisions = store.revisions(service);
      ServingPlan plan = ServingPlan.of(record, revisions);
      Optional<RevisionRecord> current =
          revisions.stream()
              .filter(r -> plan.weights().containsKey(r.id()))
              .max(
                  Comparator.comparingInt((RevisionRecord r) -> plan.weights().get(r.id()))
                      .thenComparingInt(RevisionRecord::number));
      if (current.isEmpty()) {
        throw AdminError.conflict(
            service + " serves no revision", "deploy it, or set its traffic with `pylon traffic`");
      }
      RevisionRecord previous =
          revisions.stream()
              .filter(r -> r.everReady() && r.number() < current.get().number())
              .max(Comparator.comparingInt(RevisionRecord::number))
              .orElseThrow(
                  () ->
                      AdminError.conflict(
                          service + " has no ready revision before " + current.get().id(),
                          "see its revisions with `pylon revisions " + service + "`"));
      List<TrafficTarget> next = new ArrayList<>();
      next.add(TrafficTarget.revision(previous.id(), 100));
      next.addAll(tagsOnly(record.traffic(), Optional.empty(), revisions));
      warmUpThen(List.of(previous.id()), () -> store.setTraffic(service, next));
      store.addEvent(
          clock.instant(), service, previous.id(), "", "rollback", "from " + current.get().id());
      return previous;
    } finally {
      changes.unlock();
    }
  }

  /**
   * Sets the service's traffic shares. Every named revision must belong to the service and have
   * been ready; the shares must add up to 100. Tags stay.
   */
  void setTraffic(String service, Map<String, Integer> percents, boolean toLatest)
      throws AdminError, InterruptedException {
    changes.lockInterruptibly();
    try {
      ServiceRecord record =
          store.service(service).orElseThrow(() -> AdminError.noService(service));
      List<RevisionRecord> revisions = store.revisions(service);
      List<TrafficTarget> next = new ArrayList<>();
      if (toLatest) {
        next.add(TrafficTarget.latest(100));
      } else {
        int total = 0;
        for (var entry : percents.entrySet()) {
          RevisionRecord revision =
              revisions.stream()
                  .filter(r -> r.id().equals(entry.getKey()))
                  .findFirst()
                  .orElseThrow(
                      () ->
                          AdminError.notFound(
                              service + " has no revision " + entry.getKey(),
                              "see its revisions with `pylon revisions " + service + "`"));
          if (!revision.everReady()) {
            throw AdminError.conflict(
                revision.id() + " was never ready, so it cannot take traffic",
                "deploy a working revision, or send traffic to one that was ready");
          }
          if (entry.getValue() < 0 || entry.getValue() > 100) {
            throw AdminError.invalid("a share is 0..100, not " + entry.getValue(), "");
          }
          total += entry.getValue();
          if (entry.getValue() > 0) {
            next.add(TrafficTarget.revision(revision.id(), entry.getValue()));
          }
        }
        if (total != 100) {
          throw AdminError.invalid(
              "the traffic shares add up to " + total + "%, not 100%",
              "for example --to-revisions "
                  + service
                  + "-00001-abc=90,"
                  + service
                  + "-00002-def=10");
        }
      }
      next.addAll(tagsOnly(record.traffic(), Optional.empty(), revisions));
      List<String> targets =
          next.stream().filter(t -> t.percent() > 0).flatMap(t -> t.revision().stream()).toList();
      warmUpThen(targets, () -> store.setTraffic(service, next));
      store.addEvent(
          clock.instant(),
          service,
          "",
          "",
          "traffic",
          toLatest ? "all to the latest revision" : percents.toString());
    } finally {
      changes.unlock();
    }
  }

  /**
   * Starts the revisions that are not running (they may have been stopped when they lost their
   * traffic), waits until each has a ready instance, and only then makes the change: no request
   * meets a revision without instances. Returns once the new routes are published, so a request
   * sent after the answer already follows the new split.
   */
  private void warmUpThen(List<String> revisions, Runnable change)
      throws AdminError, InterruptedException {
    revisions.forEach(reconciler::hold);
    try {
      for (String id : revisions) {
        StartOutcome outcome = reconciler.awaitReady(id, startTimeout);
        if (!outcome.ready()) {
          throw AdminError.conflict(
              id + " did not get ready again: " + outcome.detail(),
              "the traffic stays as it was; see `pylon events`",
              outcome.lastLines());
        }
      }
      change.run();
    } finally {
      revisions.forEach(reconciler::release);
    }
    reconciler.reconcileAndWait(ROUTES_PUBLISHED);
  }

  String serviceUrl(String service) {
    return "http://" + RoutingTable.serviceHost(service) + ":" + routerPort + "/";
  }

  String tagUrl(String tag, String service) {
    return "http://" + RoutingTable.tagHost(tag, service) + ":" + routerPort + "/";
  }

  /**
   * The spec's declared scaling is the service's from this deploy on ({@link Scaling#declaredBy}).
   */
  private void applyDeclaredScaling(ServiceSpec spec) {
    Optional<Scaling> declared = Scaling.declaredBy(spec);
    if (declared.isEmpty()) {
      return;
    }
    store.setScaling(spec.name(), declared.get());
    store.addEvent(
        clock.instant(),
        spec.name(),
        "",
        "",
        "scaled",
        declared.get() + " from " + spec.scaling().decidedBy());
  }

  /** Starts the revision, waits until it is ready, then gives it its traffic and its tag. */
  private DeployResult rollout(
      RevisionRecord revision,
      boolean noTraffic,
      Optional<String> tag,
      Duration gradually,
      BuildProgress progress)
      throws AdminError, InterruptedException {
    String service = revision.service();
    store.addEvent(clock.instant(), service, revision.id(), "", "created", "");
    progress.step("Starting " + revision.id());
    reconciler.hold(revision.id());
    try {
      StartOutcome outcome = reconciler.awaitReady(revision.id(), startTimeout);
      if (!outcome.ready()) {
        store.addEvent(
            clock.instant(),
            service,
            revision.id(),
            outcome.instance(),
            "not ready",
            outcome.detail());
        throw AdminError.appFailed(
            revision.id() + " did not get ready: " + outcome.detail(),
            "it gets no traffic and what was serving keeps serving; fix the app and deploy again",
            outcome.lastLines());
      }
      ServiceRecord record =
          store.service(service).orElseThrow(() -> AdminError.noService(service));
      List<RevisionRecord> revisions = store.revisions(service);
      boolean first = ServingPlan.of(record, revisions).weights().isEmpty();
      boolean serving = first || !noTraffic;
      List<TrafficTarget> tags = new ArrayList<>(tagsOnly(record.traffic(), tag, revisions));
      tag.ifPresent(t -> tags.add(TrafficTarget.tag(revision.id(), t)));
      if (serving && !first && gradually.isPositive()) {
        shiftGradually(
            revision, ServingPlan.of(record, revisions).weights(), tags, gradually, progress);
      }
      List<TrafficTarget> next = new ArrayList<>();
      if (serving) {
        next.add(TrafficTarget.latest(100));
      } else {
        // Pin "latest" to what it is now, so this revision becoming ready does not take it.
        ServingPlan now = ServingPlan.of(record, revisions);
        now.weights().forEach((id, percent) -> next.add(TrafficTarget.revision(id, percent)));
      }
      next.addAll(tags);
      store.setTraffic(service, next);
      store.markEverReady(revision.id());
      store.addEvent(
          clock.instant(), service, revision.id(), "", "ready", serving ? "serving" : "no traffic");
      reconciler.reconcileAndWait(ROUTES_PUBLISHED);
      String url = serving || tag.isEmpty() ? serviceUrl(service) : tagUrl(tag.get(), service);
      progress.step(
          revision.id() + (serving ? " is serving at " : " is ready (no traffic) at ") + url);
      return new DeployResult(store.revision(revision.id()).orElseThrow(), serving, url);
    } finally {
      reconciler.release(revision.id());
    }
  }

  /**
   * Moves traffic to the new revision in steps ({@link #ROLLOUT_STEPS} percent), the old revisions
   * keeping the rest in their old proportions, spread over {@code duration}. Each step is stored,
   * so a daemon killed halfway keeps a consistent split. Between steps the lock is let go; a step
   * that finds the traffic changed by someone else stops the rollout (their change stands).
   */
  private void shiftGradually(
      RevisionRecord revision,
      Map<String, Integer> old,
      List<TrafficTarget> tags,
      Duration duration,
      BuildProgress progress)
      throws InterruptedException, AdminError {
    String service = revision.service();
    Duration pause = duration.dividedBy(ROLLOUT_STEPS.size() + 1);
    // Pinned first: once the new revision counts as ready, "latest" would mean it.
    List<TrafficTarget> written = split(Map.of(), old, 100, tags);
    store.setTraffic(service, written);
    store.markEverReady(revision.id());
    int reached = 0;
    for (int percent : ROLLOUT_STEPS) {
      requireUnchanged(revision, written, reached);
      written = split(Map.of(revision.id(), percent), old, 100 - percent, tags);
      store.setTraffic(service, written);
      reached = percent;
      reconciler.poke();
      progress.step(percent + "% of " + service + "'s traffic on " + revision.id());
      pauseWithoutTheLock(pause);
    }
    requireUnchanged(revision, written, reached);
  }

  /** Stops a rollout whose service's traffic someone else changed during its last pause. */
  private void requireUnchanged(RevisionRecord revision, List<TrafficTarget> written, int reached)
      throws AdminError {
    String service = revision.service();
    if (store.service(service).map(ServiceRecord::traffic).orElse(List.of()).equals(written)) {
      return;
    }
    store.addEvent(
        clock.instant(),
        service,
        revision.id(),
        "",
        "rollout stopped",
        "the traffic was changed at " + reached + "%");
    throw AdminError.conflict(
        "the traffic of "
            + service
            + " was changed while "
            + revision.id()
            + " was rolled out, at "
            + reached
            + "%: the rollout stopped and that change stands",
        "see `pylon services`; finish with `pylon traffic " + service + " --to-latest`");
  }

  /** Sleeps with the changes lock let go (when this thread holds it once), then takes it again. */
  private void pauseWithoutTheLock(Duration pause) throws InterruptedException {
    if (changes.getHoldCount() != 1) {
      Thread.sleep(pause.toMillis());
      return;
    }
    changes.unlock();
    try {
      Thread.sleep(pause.toMillis());
    } finally {
      changes.lock(); // uninterruptibly: the caller's finally unlocks it
    }
  }

  /**
   * {@code fixed} as given, and {@code old} scaled to {@code rest} percent: {@link TrafficSplit}.
   */
  static List<TrafficTarget> split(
      Map<String, Integer> fixed, Map<String, Integer> old, int rest, List<TrafficTarget> tags) {
    return TrafficSplit.split(fixed, old, rest, tags);
  }

  /** The tag lines of a traffic list, with "latest" pinned, without {@code replaced}. */
  private static List<TrafficTarget> tagsOnly(
      List<TrafficTarget> traffic, Optional<String> replaced, List<RevisionRecord> revisions) {
    List<TrafficTarget> tags = new ArrayList<>();
    Optional<String> latest =
        revisions.stream()
            .filter(RevisionRecord::everReady)
            .max(Comparator.comparingInt(RevisionRecord::number))
            .map(RevisionRecord::id);
    for (TrafficTarget target : traffic) {
      if (target.tag().isEmpty() || target.tag().equals(replaced)) {
        continue;
      }
      target
          .revision()
          .or(() -> latest)
          .ifPresent(id -> tags.add(TrafficTarget.tag(id, target.tag().get())));
    }
    return tags;
  }

  private static void requireTag(String tag) throws AdminError {
    if (!TAG.matcher(tag).matches()) {
      throw AdminError.invalid(
          "the tag \"" + tag + "\" is not valid",
          "use lowercase letters, digits and hyphens, starting with a letter");
    }
  }
}
