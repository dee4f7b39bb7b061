package dev.pylon.control.daemon;

import dev.pylon.autoscale.Decision;
import dev.pylon.autoscale.Scaler;
import dev.pylon.autoscale.ScalerState;
import dev.pylon.autoscale.ScalingMetric;
import dev.pylon.autoscale.ScalingPolicy;
import dev.pylon.router.Router;
import dev.pylon.runtime.InstanceLauncher;
import dev.pylon.runtime.InstanceSet;
import dev.pylon.runtime.InstanceStatus;
import dev.pylon.runtime.ProcessLauncher;
import dev.pylon.runtime.ReadyInstance;
import dev.pylon.runtime.StartOutcome;
import dev.pylon.runtime.SupervisorOptions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Converges running instances toward the store's desired state: every revision with a traffic share
 * or a tag (and every revision a deploy is waiting for) runs as an {@link InstanceSet}; the rest
 * are stopped. It is the only owner of "actual" state, which it never writes to the store except as
 * events. After every change of ready instances it publishes a new routing snapshot.
 *
 * <p>A serving or tagged revision runs as many instances as its {@link Scaler} (Knative's KPA over
 * the router's in-flight and queued requests, or over the cores its instances use) wants; a
 * revision a deploy holds without traffic runs {@code max(1, min)}. A request for a revision scaled
 * to zero waits in the router's queue and pokes the scaler (the activator's job).
 *
 * <p>Each count the scaler wants is kept in the store. A restarted daemon starts a revision that
 * was serving with that count, and its scaler from {@link ScalerState#afterRestart}: it does not
 * scale the revision down (to one, or to zero) before its window holds real samples.
 *
 * <p>What to run and what to route is decided by {@link DesiredState} (pure); this class applies
 * it: it owns the instance sets, follows their health and publishes the router's snapshot. It runs
 * on its own thread: once per {@link #poke()} and at least every {@code interval}. {@code pylon
 * server} runs one over its SQLite store; {@code pylon run} one over its single service in memory.
 */
public final class Reconciler implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Reconciler.class);
  private static final Duration INTERVAL = Duration.ofSeconds(2);

  private final DesiredStore store;
  private final StoreWriter writes;
  private final Router router;
  private final Optional<String> defaultService;
  private final Function<RevisionRecord, SupervisorOptions> options;
  private final Function<RevisionRecord, InstanceLauncher.Factory> launchers;
  private final RevisionOutput output;
  private final Map<String, RunningRevision> running = new ConcurrentHashMap<>();
  private final List<RunningRevision> handedOver = new CopyOnWriteArrayList<>();
  private final Set<String> held = ConcurrentHashMap.newKeySet();
  private final ExecutorService stopper = Executors.newVirtualThreadPerTaskExecutor();
  private final Object wake = new Object();
  // Guarded by wake: the loop's passes, so a caller can wait for one that saw its change.
  private long passesStarted;
  private long passesDone;
  private final Object publishing = new Object();
  private final Thread thread;
  private final Scaler scaler;
  private final Duration stableWindow;
  private final Duration scaleToZeroGrace;
  // The autoscaler's count per revision it scales.
  private final Map<String, Integer> desired = new ConcurrentHashMap<>();
  private final Map<String, ScalingPolicy> policies = new ConcurrentHashMap<>();
  private final Map<String, String> serviceOf = new ConcurrentHashMap<>();
  private final Set<String> activations = ConcurrentHashMap.newKeySet();
  // Counts the scaler wanted before this daemon started; consumed by the first pass that serves
  // each revision (a revision started later begins afresh).
  private final Map<String, Integer> restored = new ConcurrentHashMap<>();
  private volatile boolean firstPassDone;
  private volatile boolean pokes;
  private volatile boolean closed;
  private volatile DesiredState last = DesiredState.NOTHING;
  private volatile Duration longestGrace = Duration.ZERO; // of every set started, for close()

  /**
   * @param defaultService the service every host without a route of its own goes to
   * @param options how each revision's instances are supervised (probes, limits, grace)
   * @param launchers what starts each revision's instances: processes ({@link ProcessLauncher}),
   *     zygote forks, or containers of the revision's image ({@code pylon run --container})
   * @param output where instances' lines go
   */
  public Reconciler(
      DesiredStore store,
      Router router,
      Optional<String> defaultService,
      Function<RevisionRecord, SupervisorOptions> options,
      Function<RevisionRecord, InstanceLauncher.Factory> launchers,
      RevisionOutput output,
      Duration stableWindow,
      Duration scaleToZeroGrace) {
    this.launchers = launchers;
    this.output = output;
    this.stableWindow = stableWindow;
    this.scaleToZeroGrace = scaleToZeroGrace;
    this.scaler =
        new Scaler(
            Clock.systemUTC(), this::load, this::readyCount, this::runningCount, this::scaled);
    this.store = store;
    this.writes = new StoreWriter(store);
    this.router = router;
    this.defaultService = defaultService;
    this.options = options;
    this.thread = Thread.ofPlatform().daemon().name("pylon-reconciler").unstarted(this::loop);
    this.restored.putAll(store.lastScales());
  }

  public void start() {
    thread.start();
    scaler.start();
  }

  /** A request waits for a revision that has no ready instance: decide for it now. */
  public void activate(String revisionId) {
    // The router's queue may not count the request at this instant (a woken waiter is out of the
    // queue until its loop puts it back), so the next sample counts at least this one request.
    activations.add(revisionId);
    scaler.poke(revisionId);
  }

  /**
   * The autoscaler's policy for a service's revisions: its stored scaling, with the daemon's stable
   * window and grace period ({@link Scaling#policy}).
   */
  ScalingPolicy policyFor(Scaling scaling) {
    return scaling.policy(stableWindow, scaleToZeroGrace);
  }

  /**
   * A request in flight or waiting, with no CPU to show for it, still marks the revision active
   * (and one waiting at zero instances wants one): the CPU sample is at least this.
   */
  static final double ACTIVE_CORES = 0.001;

  /**
   * A revision's load now, in the metric's unit. Concurrency: requests at its ready instances plus
   * those queued for it. CPU: the cores its instances use; while any request is in flight or
   * queued, at least {@link #ACTIVE_CORES}, so requests keep it from idling to zero and a request
   * held at zero instances starts one.
   */
  private double load(String revisionId, ScalingMetric metric) {
    RunningRevision run = running.get(revisionId);
    int requests = router.queued(revisionId);
    if (activations.remove(revisionId)) {
      requests = Math.max(requests, 1);
    }
    if (run != null) {
      for (ReadyInstance instance : run.ready) {
        requests += router.inFlight(RoutingTable.upstreamId(instance));
      }
    }
    if (metric != ScalingMetric.CPU) {
      return requests;
    }
    double cores = run == null ? 0 : run.cpu.cores(run.instances::cpuSeconds, System.nanoTime());
    return requests > 0 ? Math.max(cores, ACTIVE_CORES) : cores;
  }

  private int readyCount(String revisionId) {
    RunningRevision run = running.get(revisionId);
    return run == null ? 0 : run.ready.size();
  }

  /** Ready instances and those the set is starting, restarting or adopting: its scale. */
  private int runningCount(String revisionId) {
    RunningRevision run = running.get(revisionId);
    return run == null ? 0 : Math.max(run.count, run.ready.size());
  }

  private void scaled(String revisionId, Decision decision) {
    Integer before = desired.put(revisionId, decision.desiredInstances());
    writes.rememberScale(revisionId, decision.desiredInstances());
    RunningRevision run = running.get(revisionId);
    int current = before != null ? before : run != null ? run.count : -1;
    if (current != decision.desiredInstances()) {
      log.info(
          "{}: {} instance(s): {}", revisionId, decision.desiredInstances(), decision.reason());
      writes.event(
          Instant.now(),
          serviceOf.getOrDefault(revisionId, ""),
          revisionId,
          "",
          "autoscaled",
          current + " -> " + decision.desiredInstances() + ": " + decision.reason());
      poke();
    }
  }

  /**
   * Reconciles and waits (at most {@code timeout}) until a pass that began after this call has
   * published its routes: a deploy that answers "serving at URL" must already route there.
   */
  void reconcileAndWait(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (wake) {
      long needed = passesStarted + 1;
      pokes = true;
      wake.notifyAll();
      while (passesDone < needed && !closed) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          return;
        }
        wake.wait(left);
      }
    }
  }

  /** Reconcile soon (after a change of desired state). */
  void poke() {
    synchronized (wake) {
      pokes = true;
      wake.notifyAll();
    }
  }

  /** Keeps the revision running while a deploy waits for it, though it has no traffic yet. */
  void hold(String revisionId) {
    held.add(revisionId);
    poke();
  }

  void release(String revisionId) {
    held.remove(revisionId);
    poke();
  }

  /**
   * Waits until an instance of the revision is ready, or every instance failed its first start, or
   * the timeout passed. The revision must be held (or serving).
   */
  public StartOutcome awaitReady(String revisionId, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    RunningRevision run;
    while ((run = running.get(revisionId)) == null) {
      if (System.nanoTime() > deadline || closed) {
        return new StartOutcome(
            StartOutcome.Result.TIMED_OUT, "", "the revision was not started", -1, List.of());
      }
      poke();
      Thread.sleep(20);
    }
    return run.instances.awaitFirstReady(
        Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
  }

  /**
   * What the autoscaler wants for each revision it scales, and why, for {@code pylon instances}.
   */
  Map<String, RevisionScale> scales() {
    Map<String, RevisionScale> all = new HashMap<>();
    policies.forEach(
        (id, policy) -> {
          RunningRevision run = running.get(id);
          Optional<Decision> last = scaler.lastDecision(id);
          all.put(
              id,
              new RevisionScale(
                  id,
                  serviceOf.getOrDefault(id, ""),
                  run == null ? 0 : run.ready.size(),
                  desired.getOrDefault(id, run == null ? 0 : run.count),
                  policy.metric(),
                  policy.targetPerInstance(),
                  policy.stableWindow(),
                  last.map(d -> d.mode().name().toLowerCase(Locale.ROOT)).orElse(""),
                  last.map(Decision::reason).orElse("no decision yet")));
        });
    return all;
  }

  /** Each running revision's instances, for {@code pylon instances}. */
  Map<String, List<InstanceStatus>> instances() {
    Map<String, List<InstanceStatus>> all = new HashMap<>();
    running.forEach((id, run) -> all.put(id, run.instances.instances()));
    return all;
  }

  private void loop() {
    while (!closed) {
      long pass;
      synchronized (wake) {
        pass = ++passesStarted;
      }
      try {
        reconcileOnce();
      } catch (RuntimeException e) {
        log.error("reconciling failed; trying again in {} s", INTERVAL.toSeconds(), e);
      }
      synchronized (wake) {
        passesDone = pass;
        wake.notifyAll();
        if (!pokes && !closed) {
          try {
            wake.wait(INTERVAL.toMillis());
          } catch (InterruptedException e) {
            return;
          }
        }
        pokes = false;
      }
    }
  }

  /** One pass: read desired state, start, rescale and stop instance sets, publish routes. */
  synchronized void reconcileOnce() {
    if (closed) {
      return;
    }
    List<DesiredState.StoredService> services = new ArrayList<>();
    for (ServiceRecord service : store.services()) {
      services.add(new DesiredState.StoredService(service, store.revisions(service.name())));
    }
    syncScaler(services);
    DesiredState next = DesiredState.desired(services, Set.copyOf(held), Map.copyOf(desired));
    next.revisions().values().forEach(r -> serviceOf.put(r.id(), r.service()));
    last = next;
    for (var entry : next.revisions().entrySet()) {
      String id = entry.getKey();
      int count = next.instances().get(id);
      RunningRevision run = running.get(id);
      if (run == null) {
        RevisionRecord revision = entry.getValue();
        log.info("starting {} instance(s) of {}", count, id);
        RevisionFeed feed =
            new RevisionFeed(
                revision, router, output, writes, r -> running.get(id) == r, this::publish);
        SupervisorOptions supervised = options.apply(revision);
        InstanceSet set =
            new InstanceSet(
                RevisionLauncher.template(revision),
                count,
                feed,
                supervised,
                launchers.apply(revision),
                InstantSource.system());
        RunningRevision started = new RunningRevision(set, count, supervised.grace());
        if (supervised.grace().compareTo(longestGrace) > 0) {
          longestGrace = supervised.grace();
        }
        feed.owner = started;
        running.put(id, started);
        set.start();
      } else if (run.count != count) {
        run.instances.scaleTo(count);
        run.count = count;
      }
    }
    List<String> unwanted =
        running.keySet().stream().filter(id -> !next.revisions().containsKey(id)).toList();
    List<RunningRevision> leaving = new ArrayList<>();
    for (String id : unwanted) {
      forget(id);
      serviceOf.remove(id);
      leaving.add(running.remove(id));
      log.info("stopping the instances of {}", id);
    }
    // Out of the routes first; then each leaving revision finishes its requests and stops.
    publish();
    for (RunningRevision run : leaving) {
      stopper.execute(
          () -> {
            drain(run);
            run.instances.stop(run.grace);
          });
    }
  }

  /**
   * Registers each serving revision with the autoscaler under its service's policy (a revision that
   * was serving before this daemon started resumes the count it had, held until real samples) and
   * forgets the revisions that stopped serving.
   */
  private void syncScaler(List<DesiredState.StoredService> services) {
    Set<String> serving = new HashSet<>();
    for (DesiredState.StoredService stored : services) {
      ServingPlan plan = ServingPlan.of(stored.service(), stored.revisions());
      ScalingPolicy policy = policyFor(stored.service().scaling());
      for (String id : plan.revisions()) {
        serving.add(id);
        Integer before = firstPassDone ? null : restored.remove(id);
        if (before != null && !policies.containsKey(id)) {
          int count = policy.bound(before);
          policies.put(id, policy);
          desired.put(id, count);
          scaler.register(id, policy, ScalerState.afterRestart(Instant.now(), count));
          log.info("{}: restarting with the {} instance(s) it had", id, count);
        } else if (!policy.equals(policies.get(id))) {
          policies.put(id, policy);
          scaler.update(id, policy);
        }
      }
    }
    for (String id : List.copyOf(policies.keySet())) {
      if (!serving.contains(id)) {
        forget(id);
      }
    }
    if (!firstPassDone) {
      firstPassDone = true;
      restored.clear();
    }
  }

  private void forget(String revisionId) {
    if (policies.remove(revisionId) != null) {
      scaler.unregister(revisionId);
    }
    desired.remove(revisionId);
  }

  /** Waits (up to the grace period) until no request is in flight at the revision's instances. */
  private void drain(RunningRevision run) {
    long deadline = System.nanoTime() + run.grace.toNanos();
    try {
      while (System.nanoTime() < deadline
          && run.ready.stream().anyMatch(i -> router.inFlight(RoutingTable.upstreamId(i)) > 0)) {
        Thread.sleep(20);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void publish() {
    synchronized (publishing) {
      DesiredState state = last;
      Map<String, RevisionHealth> health = new HashMap<>();
      running.forEach((id, run) -> health.put(id, run.health));
      router.publish(
          state.routes(
              health,
              defaultService,
              id ->
                  Optional.ofNullable(state.revisions().get(id))
                      .map(output::whereToLook)
                      .orElse("")));
    }
  }

  /**
   * Stops reconciling and lets go of every instance for a successor daemon to adopt ({@link
   * InstanceSet#handOver}): they keep running, and the router keeps routing to them as its last
   * snapshot says until it stops. Revisions already stopping finish stopping.
   */
  void handOver() {
    handedOver.addAll(running.values());
    endEveryRevision(run -> run.instances.handOver());
    stopper.shutdown();
    writes.close();
  }

  /**
   * After {@link #handOver}, once the router has drained: stops what no successor could adopt
   * (zygote forks, containers), each revision on a thread of its own.
   */
  void endWhatWasNotHandedOver() {
    List<Thread> ends = new ArrayList<>();
    for (RunningRevision run : handedOver) {
      ends.add(Thread.ofVirtual().start(run.instances::endWhatWasNotHandedOver));
    }
    for (Thread end : ends) {
      try {
        end.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** The revisions that run now, for waiting until each has a ready instance. */
  Set<String> runningRevisions() {
    return Set.copyOf(running.keySet());
  }

  /** Stops every instance (the router should be drained first). */
  @Override
  public void close() {
    endEveryRevision(run -> run.instances.stop(run.grace));
    stopper.shutdown();
    try {
      stopper.awaitTermination(longestGrace.toSeconds() + 15, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    writes.close();
  }

  /**
   * Stops reconciling and ends every running revision at once ({@code ending} each on a thread of
   * its own, so the slowest grace bounds the wait, not their sum).
   */
  private void endEveryRevision(Consumer<RunningRevision> ending) {
    closed = true;
    scaler.close();
    poke();
    synchronized (this) {
      List<RunningRevision> all = new ArrayList<>(running.values());
      running.clear();
      List<Thread> ends = new ArrayList<>();
      for (RunningRevision run : all) {
        ends.add(Thread.ofVirtual().start(() -> ending.accept(run)));
      }
      for (Thread end : ends) {
        try {
          end.join(longestGrace.plusSeconds(15));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
