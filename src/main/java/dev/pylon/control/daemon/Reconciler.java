package dev.pylon.control.daemon;

import dev.pylon.autoscale.Decision;
import dev.pylon.autoscale.Scaler;
import dev.pylon.autoscale.ScalerState;
import dev.pylon.autoscale.ScalingMetric;
import dev.pylon.autoscale.ScalingPolicy;
import dev.pylon.router.Router;
import dev.pylon.runtime.InstanceEvent;
import dev.pylon.runtime.InstanceListener;
import dev.pylon.runtime.InstanceSet;
import dev.pylon.runtime.InstanceStatus;
import dev.pylon.runtime.ReadyInstance;
import dev.pylon.runtime.StartOutcome;
import dev.pylon.runtime.SupervisorOptions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
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
 * <p>It runs on its own thread: once per {@link #poke()} and at least every {@code interval}.
 */
final class Reconciler implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Reconciler.class);
  private static final Duration INTERVAL = Duration.ofSeconds(2);

  private final Store store;
  private final Router router;
  private final Optional<String> defaultService;
  private final SupervisorOptions options;
  private final RevisionLogs logs;
  private final Map<String, Running> running = new ConcurrentHashMap<>();
  private final Set<String> held = ConcurrentHashMap.newKeySet();
  private final ExecutorService eventWriter = Executors.newSingleThreadExecutor();
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
  private volatile List<ServingPlan> plans = List.of();

  Reconciler(
      Store store,
      Router router,
      Optional<String> defaultService,
      SupervisorOptions options,
      RevisionLogs logs,
      Duration stableWindow,
      Duration scaleToZeroGrace) {
    this.logs = logs;
    this.stableWindow = stableWindow;
    this.scaleToZeroGrace = scaleToZeroGrace;
    this.scaler = new Scaler(Clock.systemUTC(), this::load, this::readyCount, this::scaled);
    this.store = store;
    this.router = router;
    this.defaultService = defaultService;
    this.options = options;
    this.thread = Thread.ofPlatform().daemon().name("pylon-reconciler").unstarted(this::loop);
    this.restored.putAll(store.lastScales());
  }

  void start() {
    thread.start();
    scaler.start();
  }

  /** A request waits for a revision that has no ready instance: decide for it now. */
  void activate(String revisionId) {
    // The router's queue may not count the request at this instant (a woken waiter is out of the
    // queue until its loop puts it back), so the next sample counts at least this one request.
    activations.add(revisionId);
    scaler.poke(revisionId);
  }

  /**
   * The autoscaler's policy for a service's revisions: its stored scaling (bounds; requests in
   * flight with its concurrency as the target at Knative's 0.7, or cores per instance at 1; its own
   * cool-down as the stable window, else the daemon's), Knative's defaults for the rest.
   */
  ScalingPolicy policyFor(Scaling scaling) {
    ScalingPolicy.Builder b =
        ScalingPolicy.builder()
            .minScale(scaling.min())
            .maxScale(scaling.max())
            .stableWindow(scaling.coolDown().orElse(stableWindow))
            .scaleToZeroGracePeriod(scaleToZeroGrace)
            .decidedBy("the service's scaling: " + scaling);
    if (scaling.metric() == ScalingMetric.CPU) {
      return b.metric(ScalingMetric.CPU).target(scaling.cpuTarget()).targetUtilization(1).build();
    }
    return b.metric(ScalingMetric.CONCURRENCY)
        .target(scaling.concurrency() > 0 ? scaling.concurrency() : ScalingPolicy.DEFAULT_TARGET)
        .build();
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
    Running run = running.get(revisionId);
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
    Running run = running.get(revisionId);
    return run == null ? 0 : run.ready.size();
  }

  private void scaled(String revisionId, Decision decision) {
    Integer before = desired.put(revisionId, decision.desiredInstances());
    rememberScale(revisionId, decision.desiredInstances());
    Running run = running.get(revisionId);
    int current = before != null ? before : run != null ? run.count : -1;
    if (current != decision.desiredInstances()) {
      log.info(
          "{}: {} instance(s): {}", revisionId, decision.desiredInstances(), decision.reason());
      recordEvent(
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
  StartOutcome awaitReady(String revisionId, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Running run;
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
          Running run = running.get(id);
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
    List<ServingPlan> current = new ArrayList<>();
    Map<String, RevisionRecord> wanted = new HashMap<>();
    Map<String, Integer> counts = new HashMap<>();
    for (ServiceRecord service : store.services()) {
      List<RevisionRecord> revisions = store.revisions(service.name());
      ServingPlan plan = ServingPlan.of(service, revisions);
      current.add(plan);
      for (RevisionRecord revision : revisions) {
        boolean serving = plan.revisions().contains(revision.id());
        if (serving || held.contains(revision.id())) {
          wanted.put(revision.id(), revision);
          serviceOf.put(revision.id(), service.name());
          int fixed = service.scaling().instances();
          if (serving) {
            ScalingPolicy policy = policyFor(service.scaling());
            Integer before = firstPassDone ? null : restored.remove(revision.id());
            if (before != null && !policies.containsKey(revision.id())) {
              // Serving before this daemon started: the count it had, held until real samples.
              int count = policy.bound(before);
              policies.put(revision.id(), policy);
              desired.put(revision.id(), count);
              scaler.register(
                  revision.id(), policy, ScalerState.afterRestart(Instant.now(), count));
              log.info("{}: restarting with the {} instance(s) it had", revision.id(), count);
            } else if (!policy.equals(policies.get(revision.id()))) {
              policies.put(revision.id(), policy);
              scaler.update(revision.id(), policy);
            }
            int count = desired.getOrDefault(revision.id(), policy.startingInstances());
            // A deploy waiting for this revision needs an instance even if it idled to zero.
            counts.put(revision.id(), held.contains(revision.id()) ? Math.max(1, count) : count);
          } else {
            forget(revision.id());
            counts.put(revision.id(), fixed);
          }
        }
      }
    }
    plans = List.copyOf(current);
    if (!firstPassDone) {
      firstPassDone = true;
      restored.clear();
    }
    for (var entry : wanted.entrySet()) {
      String id = entry.getKey();
      int count = counts.get(id);
      Running run = running.get(id);
      if (run == null) {
        RevisionRecord revision = entry.getValue();
        log.info("starting {} instance(s) of {}", count, id);
        Feed feed = new Feed(revision);
        InstanceSet set =
            new InstanceSet(RevisionLauncher.template(revision), count, feed, options);
        Running started = new Running(set, count, revision.launch().http2());
        feed.owner = started;
        running.put(id, started);
        set.start();
      } else if (run.count != count) {
        run.instances.scaleTo(count);
        run.count = count;
      }
    }
    List<String> unwanted =
        running.keySet().stream().filter(id -> !wanted.containsKey(id)).toList();
    List<Running> leaving = new ArrayList<>();
    for (String id : unwanted) {
      forget(id);
      serviceOf.remove(id);
      leaving.add(running.remove(id));
      log.info("stopping the instances of {}", id);
    }
    // Out of the routes first; then each leaving revision finishes its requests and stops.
    publish();
    for (Running run : leaving) {
      stopper.execute(
          () -> {
            drain(run);
            run.instances.stop(options.grace());
          });
    }
  }

  private void forget(String revisionId) {
    if (policies.remove(revisionId) != null) {
      scaler.unregister(revisionId);
    }
    desired.remove(revisionId);
  }

  /** Waits (up to the grace period) until no request is in flight at the revision's instances. */
  private void drain(Running run) {
    long deadline = System.nanoTime() + options.grace().toNanos();
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
      Map<String, List<ReadyInstance>> ready = new HashMap<>();
      Set<String> http2 = new HashSet<>();
      running.forEach(
          (id, run) -> {
            ready.put(id, run.ready);
            if (run.http2) {
              http2.add(id);
            }
          });
      router.publish(RoutingTable.snapshot(plans, ready, http2, defaultService));
    }
  }

  /** Stops every instance (the router should be drained first). */
  @Override
  public void close() {
    closed = true;
    scaler.close();
    poke();
    synchronized (this) {
      List<Running> all = new ArrayList<>(running.values());
      running.clear();
      List<Thread> stops = new ArrayList<>();
      for (Running run : all) {
        stops.add(Thread.ofVirtual().start(() -> run.instances.stop(options.grace())));
      }
      for (Thread stop : stops) {
        try {
          stop.join(options.grace().plusSeconds(15));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    stopper.shutdown();
    eventWriter.shutdown();
    try {
      stopper.awaitTermination(options.grace().toSeconds() + 15, TimeUnit.SECONDS);
      eventWriter.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A running revision; {@code ready} is replaced by the set's listener. */
  private static final class Running {
    final InstanceSet instances;
    final CpuRate cpu = new CpuRate();
    final boolean http2;
    volatile int count;
    volatile List<ReadyInstance> ready = List.of();

    Running(InstanceSet instances, int count, boolean http2) {
      this.instances = instances;
      this.count = count;
      this.http2 = http2;
    }
  }

  /** Publishes a new snapshot when a revision's ready instances change; records events. */
  private final class Feed implements InstanceListener {
    private final RevisionRecord revision;

    Feed(RevisionRecord revision) {
      this.revision = revision;
    }

    // The set this feed reports for: a revision stopped and started again has a new set, and the
    // old one's last reports must not overwrite the new one's ready instances.
    volatile Running owner;

    /** The router's id of each instance that was ever ready, for telling it of exits. */
    private final Map<String, String> upstreamIds = new ConcurrentHashMap<>();

    @Override
    public void readyChanged(List<ReadyInstance> ready) {
      ready.forEach(i -> upstreamIds.put(i.name(), RoutingTable.upstreamId(i)));
      Running run = owner;
      if (run != null) {
        run.ready = List.copyOf(ready);
        if (running.get(revision.id()) == run) {
          publish();
        }
      }
    }

    @Override
    public void event(InstanceEvent event) {
      String upstreamId = upstreamIds.get(event.instance());
      if (upstreamId != null && event.kind() == InstanceEvent.Kind.EXITED) {
        router.instanceExited(upstreamId, "instance " + event.instance() + " " + event.detail());
      }
      String kind = event.kind().name().toLowerCase(Locale.ROOT).replace('_', ' ');
      record(event.at(), event.instance(), kind, event.detail());
    }

    @Override
    public void output(String instance, boolean stderr, String line) {
      logs.append(revision.id(), instance, stderr, line);
    }

    private void record(Instant at, String instance, String kind, String detail) {
      recordEvent(at, revision.service(), revision.id(), instance, kind, detail);
    }
  }

  /** Keeps the scaler's count in the store (off the scaler's thread) for a restarted daemon. */
  private void rememberScale(String revisionId, int instances) {
    try {
      eventWriter.execute(
          () -> {
            try {
              store.setLastScale(revisionId, instances);
            } catch (StoreException e) {
              log.warn("cannot keep the scale of {}: {}", revisionId, e.getMessage());
            }
          });
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      // The daemon is stopping; the count it had before stays.
    }
  }

  private void recordEvent(
      Instant at, String service, String revisionId, String instance, String kind, String detail) {
    try {
      eventWriter.execute(
          () -> {
            try {
              store.addEvent(at, service, revisionId, instance, kind, detail);
            } catch (StoreException e) {
              log.warn("cannot record an event of {}: {}", revisionId, e.getMessage());
            }
          });
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      // The daemon is stopping; the event is only logged.
      log.info("{} {}: {} {}", revisionId, instance, kind, detail);
    }
  }
}
