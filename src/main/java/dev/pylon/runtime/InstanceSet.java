package dev.pylon.runtime;

import dev.pylon.runtime.InstanceEvent.Kind;
import dev.pylon.runtime.InstanceStatus.State;
import dev.pylon.spec.InstanceEnvironment;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The instances of one revision: {@code count} processes, each on its own free port on 127.0.0.1,
 * each the leader of its own process group, restarted with back-off when it dies, reported ready
 * only once its port accepts connections, and stopped group-wide (SIGTERM, grace, SIGKILL) so no
 * process it started survives.
 *
 * <p>All instance state belongs to one supervisor thread; process start-up happens on one
 * dedicated, long-lived launcher thread (a child's parent-death signal is tied to the thread that
 * started it); each process has a waiter thread and one reader thread per output stream.
 */
public final class InstanceSet implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(InstanceSet.class);
  private static final String HOST = "127.0.0.1";
  private static final Duration KILL_WAIT = Duration.ofSeconds(5);
  private static final Duration OUTPUT_DRAIN = Duration.ofSeconds(1);

  private final InstanceTemplate template;
  private final InstanceListener listener;
  private final SupervisorOptions options;
  private final InstantSource clock;
  private final List<Instance> instances = new ArrayList<>(); // supervisor-owned after start()
  private final int initialCount;
  private final ScheduledExecutorService supervisor;
  private final ExecutorService launcher;
  private final ExecutorService prober = Executors.newVirtualThreadPerTaskExecutor();
  private final Set<Attempt> spawned = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean startCalled = new AtomicBoolean();
  private final AtomicBoolean stopCalled = new AtomicBoolean();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean stopping;
  private volatile List<String> wrapper = List.of();
  private volatile Thread supervisorThread;
  private volatile CgroupSupport cgroups; // null: no limit needs one
  private final String cgroupToken =
      Long.toString(java.util.concurrent.ThreadLocalRandom.current().nextLong(1L << 30), 36);
  private final AtomicBoolean cgroupFailureSaid = new AtomicBoolean();

  // Owned by the supervisor thread.
  private List<ReadyInstance> published = List.of();

  // What cpuSeconds() saw; guarded by cpuSeen.
  private final Map<Attempt, Double> cpuSeen = new HashMap<>();
  private double cpuOfGone;
  private long clockTicksPerSecond;

  // What awaitFirstReady waits for; guarded by startMonitor.
  private final Object startMonitor = new Object();
  private String firstReady;
  private final Map<String, StartOutcome> firstStartFailures = new LinkedHashMap<>();

  public InstanceSet(
      InstanceTemplate template, int count, InstanceListener listener, SupervisorOptions options) {
    this(template, count, listener, options, InstantSource.system());
  }

  InstanceSet(
      InstanceTemplate template,
      int count,
      InstanceListener listener,
      SupervisorOptions options,
      InstantSource clock) {
    if (count < 0) {
      throw new IllegalArgumentException("instance count must not be negative: " + count);
    }
    this.template = template;
    this.listener = listener;
    this.options = options;
    this.clock = clock;
    for (int n = 1; n <= count; n++) {
      instances.add(new Instance(template.revision() + "-" + n, n));
    }
    this.initialCount = count;
    this.supervisor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread =
                  Thread.ofPlatform()
                      .daemon()
                      .name("pylon-supervisor-" + template.revision())
                      .unstarted(r);
              supervisorThread = thread;
              return thread;
            });
    this.launcher =
        Executors.newSingleThreadExecutor(
            r ->
                Thread.ofPlatform()
                    .daemon()
                    .name("pylon-launcher-" + template.revision())
                    .unstarted(r));
  }

  /** Starts every instance. May be called once. */
  public void start() {
    if (!startCalled.compareAndSet(false, true)) {
      throw new IllegalStateException("instances of " + template.revision() + " already started");
    }
    launcher.execute(() -> wrapper = ProcessWrapper.prefix(options.parentDeathSignal()));
    if (options.memoryLimitMiB() > 0 || options.cpuLimit() > 0) {
      cgroups =
          options.cgroups()
              ? CgroupSupport.detect()
              : new CgroupSupport(
                  CgroupSupport.Mode.NONE,
                  Optional.empty(),
                  Optional.empty(),
                  "cgroups are turned off");
      log.debug("{}: cgroups: {}", template.revision(), cgroups.reason());
      InstanceCgroup.removeStrays(cgroups);
      sayWhatLimitsCannotUseCgroups(cgroups.reason(), cgroups.limitsMemory(), cgroups.limitsCpu());
    }
    post(
        () -> {
          for (Instance instance : instances) {
            launch(instance);
          }
        });
    if (options.memoryLimitMiB() > 0) {
      supervisor.scheduleWithFixedDelay(
          guarded(this::watchMemory), 250, 250, TimeUnit.MILLISECONDS);
    }
  }

  /** The one warning about limits that no cgroup enforces (none when every limit has one). */
  private void sayWhatLimitsCannotUseCgroups(
      String why, boolean memoryLimited, boolean cpuLimited) {
    List<String> fallbacks = new ArrayList<>();
    if (options.memoryLimitMiB() > 0 && !memoryLimited) {
      fallbacks.add(
          "the memory limit of "
              + options.memoryLimitMiB()
              + " MiB is enforced by watching resident memory every 250 ms instead");
    }
    if (options.cpuLimit() > 0 && !cpuLimited) {
      fallbacks.add("the CPU limit of " + options.cpuLimit() + " cores is not enforced");
    }
    if (!fallbacks.isEmpty() && cgroupFailureSaid.compareAndSet(false, true)) {
      String detail = "no cgroup can be made (" + why + "): " + String.join("; ", fallbacks);
      log.warn("{}: {}", template.revision(), detail);
      post(() -> emit(Kind.WARNING, template.revision(), detail));
    }
  }

  /**
   * Blocks until at least one instance is ready (READY), or every instance failed on its first
   * start before ever being ready (FAILED, with the first such instance's exit status and last
   * output lines), or {@code timeout} passed (TIMED_OUT).
   */
  public StartOutcome awaitFirstReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (startMonitor) {
      while (true) {
        if (firstReady != null) {
          return new StartOutcome(StartOutcome.Result.READY, firstReady, "ready", -1, List.of());
        }
        if (firstStartFailures.size() == initialCount) {
          if (initialCount == 0) {
            return new StartOutcome(
                StartOutcome.Result.FAILED, "", "there are no instances to start", -1, List.of());
          }
          return firstStartFailures.values().iterator().next();
        }
        if (stopped.getCount() == 0) {
          return new StartOutcome(
              StartOutcome.Result.FAILED,
              "",
              "stopped before any instance was ready",
              -1,
              List.of());
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return new StartOutcome(
              StartOutcome.Result.TIMED_OUT,
              "",
              "no instance was ready after " + describe(timeout),
              -1,
              List.of());
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(startMonitor, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return new StartOutcome(
              StartOutcome.Result.TIMED_OUT, "", "interrupted while waiting", -1, List.of());
        }
      }
    }
  }

  /**
   * Changes the number of instances. New ones are named with the smallest free numbers and start
   * like the first ones; when there are too many, the highest-numbered ones leave the ready list at
   * once and are then stopped like {@link #stop} stops them (SIGTERM, grace, SIGKILL), each
   * reported as STOPPED with the detail "scaled down (...)". Returns at once.
   */
  public void scaleTo(int count) {
    if (count < 0) {
      throw new IllegalArgumentException("instance count must not be negative: " + count);
    }
    post(() -> rescale(count));
  }

  /**
   * CPU time the instances of this set have used since it started, in seconds (CPU seconds: two
   * busy cores add two per second). Each instance counts from its cgroup when it has one that
   * accounts CPU, else as the user + system time of every process in its process group (a gunicorn
   * master and all its workers). Never goes down: an instance that stopped keeps what it was last
   * seen using, and a reading that drops (a worker exited before it was reaped) counts as no
   * change. Read it twice and divide by the time between for the cores in use. Safe to call from
   * any thread; each call reads {@code /proc} once.
   */
  public double cpuSeconds() {
    synchronized (cpuSeen) {
      if (clockTicksPerSecond == 0) {
        clockTicksPerSecond = ProcessGroups.clockTicksPerSecond();
      }
      Map<Long, Attempt> byGroup = new HashMap<>();
      for (Attempt attempt : spawned) {
        OptionalDouble fromCgroup =
            attempt.cgroup != null ? attempt.cgroup.cpuSeconds() : OptionalDouble.empty();
        if (fromCgroup.isPresent()) {
          cpuSeen.merge(attempt, fromCgroup.getAsDouble(), Math::max);
        } else {
          byGroup.put(attempt.pid(), attempt);
        }
      }
      if (!byGroup.isEmpty()) {
        ProcessGroups.cpuTicks(byGroup.keySet())
            .forEach(
                (group, ticks) ->
                    cpuSeen.merge(
                        byGroup.get(group), ticks / (double) clockTicksPerSecond, Math::max));
      }
      // Instances gone since the last call keep their last reading.
      var gone = cpuSeen.keySet().iterator();
      while (gone.hasNext()) {
        Attempt attempt = gone.next();
        if (!spawned.contains(attempt)) {
          cpuOfGone += cpuSeen.get(attempt);
          gone.remove();
        }
      }
      double total = cpuOfGone;
      for (double seconds : cpuSeen.values()) {
        total += seconds;
      }
      return total;
    }
  }

  /** A snapshot of every instance. */
  public List<InstanceStatus> instances() {
    if (supervisor.isTerminated() || Thread.currentThread() == supervisorThread) {
      return statuses(); // (from a listener callback: we are the supervisor thread already)
    }
    return onSupervisor(this::statuses).orElseGet(List::of);
  }

  /**
   * Stops routing to every instance (an empty ready list), sends SIGTERM to each instance's whole
   * process group, waits up to {@code grace} for all of them to be gone, then sends SIGKILL to what
   * is left; returns once no process of any instance remains (or, if even SIGKILL did not end them,
   * after a bounded wait that is logged). Safe to call more than once.
   */
  public void stop(Duration grace) {
    if (!stopCalled.compareAndSet(false, true)) {
      awaitStopped(grace.plus(KILL_WAIT).plusSeconds(10));
      return;
    }
    boolean interrupted = false;
    try {
      onSupervisor(
          () -> {
            stopping = true;
            for (Instance instance : instances) {
              instance.cancelTimer();
              if (instance.current != null) {
                instance.current.ready = false;
                instance.current.cancelLiveness();
              }
            }
            publishReady();
            return null;
          });
      stopping = true;
      // Wait for a start in progress to finish, but keep the launcher thread alive until every
      // instance is gone: its end would fire their parent-death signal (SIGKILL) before the grace.
      try {
        launcher.submit(() -> {}).get(10, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
        log.warn("{}: a process start did not finish within 10 s", template.revision());
      }
      List<Attempt> live = new ArrayList<>(spawned);
      for (Attempt attempt : live) {
        terminate(attempt);
      }
      Set<Attempt> killed = new HashSet<>();
      if (!awaitGone(live, grace)) {
        for (Attempt attempt : live) {
          if (!gone(attempt)) {
            killed.add(attempt);
            ProcessGroups.signal(attempt.process.toHandle(), "KILL");
          }
        }
        if (!awaitGone(live, KILL_WAIT)) {
          log.error(
              "{}: processes still present after SIGKILL: {}",
              template.revision(),
              live.stream().filter(a -> !gone(a)).map(Attempt::pid).toList());
        }
      }
      for (Attempt attempt : live) {
        attempt.awaitOutputAndExit(KILL_WAIT);
        if (gone(attempt)) {
          forgetPidFile(attempt);
          if (attempt.cgroup != null) {
            attempt.cgroup.remove(Duration.ofSeconds(1));
          }
        }
      }
      onSupervisor(
          () -> {
            for (Instance instance : instances) {
              Attempt last = instance.current;
              String how = "stopped";
              if (last != null && last.process != null) {
                how =
                    killed.contains(last)
                        ? "killed with SIGKILL after the " + describe(grace) + " grace period"
                        : "stopped (" + ExitStatus.describe(last.process) + ")";
                instance.lastExit = how;
              }
              instance.enter(State.STOPPED);
              emit(Kind.STOPPED, instance.name, how);
            }
            return null;
          });
    } catch (InterruptedException e) {
      interrupted = true;
      for (Attempt attempt : spawned) {
        ProcessGroups.signal(attempt.process.toHandle(), "KILL");
      }
    } finally {
      launcher.shutdown();
      prober.shutdownNow();
      supervisor.shutdown();
      try {
        supervisor.awaitTermination(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        interrupted = true;
      }
      stopped.countDown();
      synchronized (startMonitor) {
        startMonitor.notifyAll();
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** {@link #stop(Duration)} with the options' grace period. */
  @Override
  public void close() {
    stop(options.grace());
  }

  // ---- supervisor thread

  private void rescale(int count) {
    if (stopping) {
      return;
    }
    while (instances.size() < count) {
      Set<Integer> used = new HashSet<>();
      instances.forEach(i -> used.add(i.index));
      int n = 1;
      while (used.contains(n)) {
        n++;
      }
      Instance added = new Instance(template.revision() + "-" + n, n);
      instances.add(added);
      instances.sort(Comparator.comparingInt(i -> i.index));
      launch(added);
    }
    while (instances.size() > count) {
      retire(instances.removeLast());
    }
  }

  /** Takes an instance out of the set: no traffic now, then a graceful stop on its own thread. */
  private void retire(Instance instance) {
    instance.retired = true;
    instance.cancelTimer();
    instance.enter(State.STOPPED);
    Attempt attempt = instance.current;
    if (attempt != null) {
      attempt.cancelLiveness();
      attempt.ready = false;
    }
    publishReady();
    if (attempt == null || attempt.process == null || attempt.exited) {
      emit(Kind.STOPPED, instance.name, "scaled down");
      return; // a start in progress sees the instance retired and ends what it started
    }
    Duration grace = options.grace();
    Thread.ofPlatform()
        .daemon()
        .name(instance.name + "-stopper")
        .start(
            () -> {
              boolean killed = false;
              try {
                terminate(attempt);
                if (!awaitGone(List.of(attempt), grace)) {
                  killed = true;
                  ProcessGroups.signal(attempt.process.toHandle(), "KILL");
                  awaitGone(List.of(attempt), KILL_WAIT);
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              String how =
                  killed
                      ? "scaled down: killed with SIGKILL after the " + describe(grace) + " grace"
                      : "scaled down (" + ExitStatus.describe(attempt.process) + ")";
              post(
                  () -> {
                    instance.lastExit = how;
                    emit(Kind.STOPPED, instance.name, how);
                  });
            });
  }

  private void launch(Instance instance) {
    if (stopping || instance.retired) {
      return;
    }
    instance.timer = null;
    int port;
    try {
      port = freePort();
    } catch (IOException e) {
      log.warn("{}: no free port: {}", instance.name, e.getMessage());
      instance.timer =
          schedule(() -> launch(instance), options.readinessInterval().multipliedBy(10));
      return;
    }
    Attempt attempt =
        new Attempt(instance, ++instance.starts, port, new OutputTail(options.outputLines()));
    instance.previous = instance.current;
    instance.current = attempt;
    instance.enter(State.STARTING);
    try {
      launcher.execute(() -> spawn(attempt));
    } catch (RejectedExecutionException stoppedMeanwhile) {
      // stop() has begun; nothing to start.
    }
  }

  private void started(Attempt attempt) {
    Instance instance = attempt.instance;
    if (instance.retired && !stopping) {
      ProcessGroups.signal(attempt.process.toHandle(), "KILL"); // scaled down while starting
      return;
    }
    if (stopping || attempt != instance.current) {
      return;
    }
    attempt.startedAt = clock.instant();
    emit(
        Kind.STARTING,
        instance.name,
        "pid " + attempt.pid() + ", port " + attempt.port + " (start " + attempt.number + ")");
    instance.timer = schedule(() -> probe(attempt), options.readinessInterval());
  }

  private boolean stale(Attempt attempt) {
    return stopping
        || attempt.instance.retired
        || attempt != attempt.instance.current
        || attempt.exited;
  }

  /** Runs {@code probe} off the supervisor thread; its result comes back on it, unless stale. */
  private void check(Attempt attempt, Probe probe, Consumer<Probe.Result> then) {
    try {
      prober.execute(
          () -> {
            Probe.Result result = probe.check(HOST, attempt.port);
            post(
                () -> {
                  if (!stale(attempt)) {
                    then.accept(result);
                  }
                });
          });
    } catch (RejectedExecutionException stopped) {
      // stop() has begun
    }
  }

  /** Start-up: the readiness probe every readinessInterval until it passes or time runs out. */
  private void probe(Attempt attempt) {
    if (stale(attempt)) {
      return;
    }
    Instance instance = attempt.instance;
    Duration waited = Duration.between(attempt.startedAt, clock.instant());
    if (waited.compareTo(options.startTimeout()) >= 0) {
      attempt.startFailureReported = true;
      String detail =
          (startupProbe().type() == Probe.Type.TCP
                  ? "did not accept connections on port " + attempt.port
                  : "did not pass its start-up probe ("
                      + attempt.lastProbe
                      + ") on port "
                      + attempt.port)
              + " within "
              + describe(options.startTimeout())
              + "; killing it";
      emit(Kind.FAILED_TO_START, instance.name, detail);
      recordFirstStartFailure(attempt, detail, -1);
      ProcessGroups.signal(attempt.process.toHandle(), "KILL");
      return; // its exit restarts it
    }
    check(
        attempt,
        startupProbe(),
        result -> {
          attempt.lastProbe = result.detail();
          if (result.passed()) {
            becomeReady(attempt, startupDetail(attempt));
            instance.timer =
                schedule(
                    () -> readinessCheck(attempt),
                    options.readiness().initialDelay().plus(options.readiness().period()));
            options
                .liveness()
                .ifPresent(
                    liveness ->
                        attempt.livenessTimer =
                            schedule(
                                () -> livenessCheck(attempt, liveness),
                                liveness.initialDelay().plus(liveness.period())));
          } else {
            instance.timer = schedule(() -> probe(attempt), options.readinessInterval());
          }
        });
  }

  private Probe startupProbe() {
    return options.startup().orElse(options.readiness());
  }

  private String startupDetail(Attempt attempt) {
    Duration took = Duration.between(attempt.startedAt, clock.instant());
    String what =
        startupProbe().type() == Probe.Type.TCP
            ? "accepting connections on port " + attempt.port
            : attempt.lastProbe + " on port " + attempt.port;
    return what + " after " + took.toMillis() + " ms";
  }

  private void becomeReady(Attempt attempt, String detail) {
    Instance instance = attempt.instance;
    attempt.ready = true;
    attempt.becameReady = true;
    attempt.probeFailures = 0;
    instance.everReady = true;
    instance.enter(State.READY);
    emit(Kind.READY, instance.name, detail);
    publishReady();
    synchronized (startMonitor) {
      if (firstReady == null) {
        firstReady = instance.name;
        startMonitor.notifyAll();
      }
    }
  }

  /** After start-up: an instance failing readiness leaves the ready list until it passes again. */
  private void readinessCheck(Attempt attempt) {
    if (stale(attempt)) {
      return;
    }
    Probe readiness = options.readiness();
    check(
        attempt,
        readiness,
        result -> {
          attempt.lastProbe = result.detail();
          if (result.passed()) {
            attempt.probeFailures = 0;
            attempt.probeSuccesses++;
            if (!attempt.ready && attempt.probeSuccesses >= readiness.successThreshold()) {
              becomeReady(attempt, "readiness probe passes again: " + result.detail());
            }
          } else {
            attempt.probeSuccesses = 0;
            attempt.probeFailures++;
            if (attempt.ready && attempt.probeFailures >= readiness.failureThreshold()) {
              attempt.ready = false;
              attempt.instance.enter(State.UNREADY);
              publishReady(); // traffic stops before anyone hears of it
              emit(
                  Kind.UNREADY,
                  attempt.instance.name,
                  "readiness probe failed "
                      + attempt.probeFailures
                      + " times in a row: "
                      + result.detail());
            }
          }
          attempt.instance.timer = schedule(() -> readinessCheck(attempt), readiness.period());
        });
  }

  /** An instance failing liveness is ended (SIGTERM, then SIGKILL after the grace); it restarts. */
  private void livenessCheck(Attempt attempt, Probe liveness) {
    if (stale(attempt)) {
      return;
    }
    check(
        attempt,
        liveness,
        result -> {
          if (result.passed()) {
            attempt.livenessFailures = 0;
          } else if (++attempt.livenessFailures >= liveness.failureThreshold()) {
            emit(
                Kind.LIVENESS_FAILED,
                attempt.instance.name,
                "liveness probe failed "
                    + attempt.livenessFailures
                    + " times in a row ("
                    + result.detail()
                    + "); restarting it");
            attempt.ready = false;
            attempt.failedLiveness = true;
            publishReady();
            terminate(attempt);
            attempt.livenessTimer =
                schedule(
                    () -> {
                      if (!attempt.exited) {
                        ProcessGroups.signal(attempt.process.toHandle(), "KILL");
                      }
                    },
                    options.grace());
            return;
          }
          attempt.livenessTimer =
              schedule(() -> livenessCheck(attempt, liveness), liveness.period());
        });
  }

  private void exited(Attempt attempt, int status, String how) {
    Instance instance = attempt.instance;
    attempt.exited = true;
    if (attempt.process != null && !ProcessGroups.members(attempt.pid()).isEmpty()) {
      // The leader is gone; whatever it forked must not outlive it.
      ProcessGroups.signal(attempt.process.toHandle(), "KILL");
    }
    spawned.remove(attempt);
    forgetPidFile(attempt);
    attempt.cancelLiveness();
    if (stopping || instance.retired || attempt != instance.current) {
      return;
    }
    instance.cancelTimer();
    if (!attempt.memoryKilled && attempt.killedInCgroupForMemory) {
      reportMemoryKill(attempt, ""); // the kernel killed it before the watch looked
    }
    if (attempt.memoryKilled) {
      how = memoryLimitDetail();
    }
    if (attempt.failedLiveness) {
      how = "ended for failing its liveness probe (" + how + ")";
    }
    instance.lastExit = how;
    boolean wasReady = attempt.ready;
    attempt.ready = false;
    if (wasReady) {
      publishReady();
    }
    emit(Kind.EXITED, instance.name, how);
    if (!attempt.becameReady && !attempt.startFailureReported) {
      String detail =
          how
              + (startupProbe().type() == Probe.Type.TCP
                  ? " before accepting connections on port "
                  : " before passing its start-up probe on port ")
              + attempt.port;
      emit(Kind.FAILED_TO_START, instance.name, detail);
      recordFirstStartFailure(attempt, detail, status);
    }
    Instant began = attempt.startedAt != null ? attempt.startedAt : clock.instant();
    Duration delay = instance.backoff.delayAfterExit(began, clock.instant());
    int inARow = instance.backoff.failuresInARow();
    if (inARow >= options.crashLoopAfter()) {
      instance.enter(State.CRASH_LOOP);
      if (inARow == options.crashLoopAfter()) {
        emit(
            Kind.CRASH_LOOP,
            instance.name,
            inARow + " exits in a row without staying up; last: " + how);
      }
    } else {
      instance.enter(State.BACKOFF);
    }
    emit(
        Kind.RESTARTING,
        instance.name,
        "in " + describe(delay) + " (exit " + inARow + " in a row)");
    instance.timer = schedule(() -> launch(instance), delay);
  }

  /**
   * Every 250 ms: an instance in a cgroup where the kernel killed a process for memory is reported
   * and ended as a whole (as Kubernetes does with memory.oom.group); an instance without a cgroup
   * is killed when its processes together hold more resident memory than the limit.
   */
  private void watchMemory() {
    if (stopping) {
      return;
    }
    Map<Long, Attempt> watched = new HashMap<>();
    for (Instance instance : instances) {
      Attempt attempt = instance.current;
      if (attempt == null || attempt.process == null || attempt.exited || attempt.memoryKilled) {
        continue;
      }
      if (attempt.cgroup != null && attempt.cgroup.memoryLimitMiB() > 0) {
        if (attempt.cgroup.memoryKills() > 0) {
          reportMemoryKill(attempt, "");
          ProcessGroups.signal(attempt.process.toHandle(), "KILL");
        }
      } else {
        watched.put(attempt.pid(), attempt);
      }
    }
    if (watched.isEmpty()) {
      return;
    }
    long limit = options.memoryLimitMiB() << 20;
    ProcessGroups.residentBytes(watched.keySet())
        .forEach(
            (group, bytes) -> {
              Attempt attempt = watched.get(group);
              if (bytes > limit) {
                reportMemoryKill(attempt, "; it was using " + (bytes >> 20) + " MiB");
                ProcessGroups.signal(attempt.process.toHandle(), "KILL");
              }
            });
  }

  private void reportMemoryKill(Attempt attempt, String more) {
    attempt.memoryKilled = true;
    if (attempt.ready) {
      attempt.ready = false;
      publishReady();
    }
    emit(Kind.MEMORY_LIMIT, attempt.instance.name, memoryLimitDetail() + more);
  }

  private String memoryLimitDetail() {
    return "killed: memory limit (" + options.memoryLimitMiB() + " MiB)";
  }

  /** SIGTERM to the instance's processes; under bubblewrap, to the app's and not bwrap's. */
  private void terminate(Attempt attempt) {
    if (options.sandbox().isPresent()) {
      ProcessGroups.signalAllBut(attempt.pid(), "TERM", Sandbox.BWRAP_COMM);
    } else {
      ProcessGroups.signal(attempt.process.toHandle(), "TERM");
    }
  }

  private void forgetPidFile(Attempt attempt) {
    if (attempt.process != null) {
      options
          .runDir()
          .ifPresent(dir -> StrayInstances.forget(dir, attempt.instance.name, attempt.pid()));
    }
  }

  private void recordFirstStartFailure(Attempt attempt, String detail, int status) {
    if (attempt.number != 1 || attempt.instance.everReady) {
      return;
    }
    synchronized (startMonitor) {
      firstStartFailures.putIfAbsent(
          attempt.instance.name,
          new StartOutcome(
              StartOutcome.Result.FAILED,
              attempt.instance.name,
              detail,
              status,
              attempt.tail.lines()));
      startMonitor.notifyAll();
    }
  }

  private void publishReady() {
    List<ReadyInstance> ready = new ArrayList<>();
    for (Instance instance : instances) {
      Attempt attempt = instance.current;
      if (attempt != null && attempt.ready) {
        ready.add(new ReadyInstance(instance.name, HOST, attempt.port));
      }
    }
    if (!ready.equals(published)) {
      published = List.copyOf(ready);
      try {
        listener.readyChanged(published);
      } catch (RuntimeException e) {
        log.warn("instance listener failed on readyChanged", e);
      }
    }
  }

  private void emit(Kind kind, String instance, String detail) {
    InstanceEvent event = new InstanceEvent(clock.instant(), instance, kind, detail);
    log.debug("{} {}: {}", instance, kind, detail);
    try {
      listener.event(event);
    } catch (RuntimeException e) {
      log.warn("instance listener failed on event {}", event, e);
    }
  }

  private List<InstanceStatus> statuses() {
    List<InstanceStatus> out = new ArrayList<>();
    for (Instance instance : instances) {
      Attempt attempt = instance.current;
      boolean running = attempt != null && attempt.process != null && attempt.process.isAlive();
      out.add(
          new InstanceStatus(
              instance.name,
              instance.state,
              attempt == null ? 0 : attempt.port,
              running ? attempt.pid() : -1,
              instance.starts,
              instance.since,
              instance.lastExit,
              lastLines(instance)));
    }
    return out;
  }

  /** The current process's last lines, or its predecessor's while it has written none. */
  private static List<String> lastLines(Instance instance) {
    Attempt attempt = instance.current;
    List<String> lines = attempt == null ? List.of() : attempt.tail.lines();
    return lines.isEmpty() && instance.previous != null ? instance.previous.tail.lines() : lines;
  }

  private ScheduledFuture<?> schedule(Runnable task, Duration delay) {
    try {
      return supervisor.schedule(guarded(task), delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException stopped) {
      return null;
    }
  }

  /** Runs {@code task} on the supervisor thread, unless it has already shut down. */
  private void post(Runnable task) {
    try {
      supervisor.execute(guarded(task));
    } catch (RejectedExecutionException stopped) {
      // After stop() nothing is supervised any more.
    }
  }

  private static Runnable guarded(Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        log.error("supervisor task failed", e);
      }
    };
  }

  private <T> Optional<T> onSupervisor(Callable<T> task) {
    try {
      return Optional.ofNullable(supervisor.submit(task).get(10, TimeUnit.SECONDS));
    } catch (RejectedExecutionException | TimeoutException e) {
      return Optional.empty();
    } catch (ExecutionException e) {
      throw new IllegalStateException("supervisor task failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  // ---- launcher thread

  private void spawn(Attempt attempt) {
    if (stopping) {
      return;
    }
    Instance instance = attempt.instance;
    List<String> command = new ArrayList<>();
    if (options.sandbox().isPresent()) {
      Optional<Path> bwrap = Sandbox.bubblewrap();
      if (bwrap.isEmpty()) {
        String how =
            "could not be started: the sandbox needs bubblewrap (bwrap), which is not installed";
        attempt.tail.add(how);
        post(() -> exited(attempt, -1, how));
        return;
      }
      command.addAll(options.sandbox().get().prefix(bwrap.get(), template.workDir()));
    }
    command.addAll(template.commandFor(attempt.port));
    InstanceCgroup cgroup = makeCgroup(attempt);
    if (cgroup != null) {
      command = cgroup.joinCommand(command); // joined before bubblewrap or the app runs
    }
    command.addAll(0, wrapper); // setsid and setpriv keep the pid, so the leader is in the cgroup
    attempt.cgroup = cgroup;
    ProcessBuilder builder = new ProcessBuilder(command).directory(template.workDir().toFile());
    Map<String, String> env = builder.environment();
    env.putAll(InstanceEnvironment.forInstance(template.env(), instance.name, attempt.port));
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      String how = "could not be started: " + e.getMessage();
      attempt.tail.add(how);
      if (cgroup != null) {
        cgroup.remove(Duration.ZERO);
      }
      post(() -> exited(attempt, -1, how));
      return;
    }
    attempt.process = process;
    spawned.add(attempt);
    options.runDir().ifPresent(dir -> StrayInstances.record(dir, instance.name, process.pid()));
    attempt.stdout = readLines(attempt, process.getInputStream(), false);
    attempt.stderr = readLines(attempt, process.getErrorStream(), true);
    post(() -> started(attempt));
    attempt.waiter =
        Thread.ofPlatform()
            .daemon()
            .name(instance.name + "-waiter")
            .start(
                () -> {
                  int status = waitUninterruptibly(process);
                  if (!ProcessGroups.members(process.pid()).isEmpty()) {
                    // What the leader leaves (e.g. gunicorn's workers) holds its output open and
                    // would delay the restart; exited() would end it anyway.
                    ProcessGroups.signalGroup(process.pid(), "KILL");
                  }
                  if (cgroup != null && cgroup.memoryLimitMiB() > 0) {
                    attempt.killedInCgroupForMemory = cgroup.memoryKills() > 0;
                  }
                  attempt.awaitOutput(OUTPUT_DRAIN);
                  post(() -> exited(attempt, status, ExitStatus.describe(process)));
                  if (cgroup != null) {
                    // after exited() (which ends what the leader left) has had its chance
                    cgroup.remove(KILL_WAIT);
                  }
                });
  }

  /**
   * The cgroup for this attempt's limits, or null when none is needed or none can be made (said
   * once; the memory watch then covers the attempt).
   */
  private InstanceCgroup makeCgroup(Attempt attempt) {
    CgroupSupport support = cgroups;
    if (support == null
        || !(support.limitsMemory() && options.memoryLimitMiB() > 0
            || support.limitsCpu() && options.cpuLimit() > 0)) {
      return null;
    }
    // The set's token: a revision started again while its old set drains has the same instance
    // names and attempt numbers, and must not meet the old set's cgroups.
    String name =
        ("pylon-"
                + ProcessHandle.current().pid()
                + "-"
                + attempt.instance.name
                + "-"
                + attempt.number
                + "-"
                + cgroupToken)
            .replaceAll("[^A-Za-z0-9_.-]", "_");
    try {
      return InstanceCgroup.create(
          support,
          name,
          support.limitsMemory() ? options.memoryLimitMiB() : 0,
          support.limitsCpu() ? options.cpuLimit() : 0);
    } catch (IOException e) {
      sayWhatLimitsCannotUseCgroups(
          "making " + name + " failed: " + e.getClass().getSimpleName() + " " + e.getMessage(),
          false,
          false);
      return null;
    }
  }

  private Thread readLines(Attempt attempt, InputStream stream, boolean isStderr) {
    String name = attempt.instance.name;
    return Thread.ofPlatform()
        .daemon()
        .name(name + (isStderr ? "-stderr" : "-stdout"))
        .start(
            () -> {
              try (InputStream in = stream) {
                OutputLines.forEach(
                    in,
                    OutputLines.MAX_LINE_BYTES,
                    line -> {
                      attempt.tail.add(line);
                      try {
                        listener.output(name, isStderr, line);
                      } catch (RuntimeException e) {
                        log.warn("instance listener failed on output", e);
                      }
                    });
              } catch (IOException closed) {
                // the process and everything holding its pipe are gone
              }
            });
  }

  // ---- helpers

  private void awaitStopped(Duration timeout) {
    try {
      stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static boolean gone(Attempt attempt) {
    return !attempt.process.isAlive() && ProcessGroups.members(attempt.pid()).isEmpty();
  }

  private static boolean awaitGone(List<Attempt> attempts, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (attempts.stream().allMatch(InstanceSet::gone)) {
        return true;
      }
      if (System.nanoTime() >= deadline) {
        return false;
      }
      Thread.sleep(20);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(HOST, 0));
      return socket.getLocalPort();
    }
  }

  private static int waitUninterruptibly(Process process) {
    while (true) {
      try {
        return process.waitFor();
      } catch (InterruptedException e) {
        // only stop() ends a waiter, by ending the process
      }
    }
  }

  static String describe(Duration duration) {
    long millis = duration.toMillis();
    if (millis % 1000 != 0 || millis == 0) {
      return millis + " ms";
    }
    long seconds = millis / 1000;
    return seconds % 60 == 0 && seconds >= 60 ? seconds / 60 + " min" : seconds + " s";
  }

  /** One instance: a name, and a succession of processes (attempts). Supervisor-owned. */
  private final class Instance {
    final String name;
    final int index;
    final RestartBackoff backoff = new RestartBackoff(options.restartBackoff());
    Attempt current;
    Attempt previous;
    boolean everReady;
    boolean retired;
    int starts;
    ScheduledFuture<?> timer;
    State state = State.STARTING;
    Instant since = clock.instant();
    String lastExit = "";

    Instance(String name, int index) {
      this.name = name;
      this.index = index;
    }

    void enter(State next) {
      if (next != state) {
        state = next;
        since = clock.instant();
      }
    }

    void cancelTimer() {
      if (timer != null) {
        timer.cancel(false);
        timer = null;
      }
    }
  }

  /** One process started for an instance. */
  private static final class Attempt {
    final Instance instance;
    final int number;
    final int port;
    final OutputTail tail;
    volatile Process process;
    volatile Thread stdout;
    volatile Thread stderr;
    volatile Thread waiter;
    // Supervisor-owned:
    Instant startedAt;
    boolean ready;
    boolean exited;
    boolean startFailureReported;
    boolean becameReady;
    volatile boolean memoryKilled;
    volatile InstanceCgroup cgroup; // null: no cgroup (the memory watch covers it)
    volatile boolean killedInCgroupForMemory; // read at exit, before the cgroup is removed
    boolean failedLiveness;
    String lastProbe = "not probed yet";
    int probeFailures;
    int probeSuccesses;
    int livenessFailures;
    ScheduledFuture<?> livenessTimer;

    void cancelLiveness() {
      if (livenessTimer != null) {
        livenessTimer.cancel(false);
        livenessTimer = null;
      }
    }

    Attempt(Instance instance, int number, int port, OutputTail tail) {
      this.instance = instance;
      this.number = number;
      this.port = port;
      this.tail = tail;
    }

    long pid() {
      return process.pid();
    }

    void awaitOutput(Duration timeout) {
      long deadline = System.nanoTime() + timeout.toNanos();
      for (Thread reader : new Thread[] {stdout, stderr}) {
        long left = deadline - System.nanoTime();
        if (reader != null && left > 0) {
          try {
            reader.join(Duration.ofNanos(left));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
      }
    }

    void awaitOutputAndExit(Duration timeout) throws InterruptedException {
      Thread w = waiter;
      if (w != null) {
        w.join(timeout);
      }
    }
  }
}
