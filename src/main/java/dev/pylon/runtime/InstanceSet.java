package dev.pylon.runtime;

import dev.pylon.runtime.InstanceEvent.Kind;
import dev.pylon.runtime.InstanceLifecycle.Action;
import dev.pylon.runtime.InstanceLifecycle.Input;
import dev.pylon.spec.InstanceEnvironment;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The instances of one revision: {@code count} instances, each on its own free port on 127.0.0.1,
 * restarted with back-off when it dies, reported ready only once its start-up probe passes, and
 * stopped as a whole (SIGTERM, grace, SIGKILL) so nothing it started survives.
 *
 * <p>This class carries out what {@link InstanceLifecycle} decides: every input (a process started
 * or exited, a timer, a probe result, the memory watch, a scale-down) goes through {@link #apply}
 * on the one supervisor thread, which owns all instance state, and the actions that come back are
 * done here: starting through the {@link InstanceLauncher} (on a thread of its own, as a launch may
 * block), probing on virtual threads, timers on the supervisor's scheduler.
 */
public final class InstanceSet implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(InstanceSet.class);
  private static final String HOST = "127.0.0.1";

  private final InstanceTemplate template;
  private final InstanceListener listener;
  private final SupervisorOptions options;
  private final InstantSource clock;
  private final InstanceLifecycle lifecycle;
  private final InstanceLauncher.Factory launchers;
  private final StartGate gate;
  private final List<InstanceSlot> slots = new ArrayList<>(); // supervisor-owned after start()
  private final SupervisorThread supervisor;
  private final ExecutorService prober = Executors.newVirtualThreadPerTaskExecutor();
  private final AtomicBoolean startCalled = new AtomicBoolean();
  private final AtomicBoolean stopCalled = new AtomicBoolean();
  private final AtomicBoolean leftoversEnded = new AtomicBoolean();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean stopping;
  private volatile boolean handedOver;
  private volatile Launches launches; // from start()
  private List<ReadyInstance> published = List.of(); // supervisor-owned
  private boolean openSaid; // supervisor-owned: whether the sandbox's open-bind check ran

  public InstanceSet(
      InstanceTemplate template, int count, InstanceListener listener, SupervisorOptions options) {
    this(template, count, listener, options, ProcessLauncher::new, InstantSource.system());
  }

  /** A set whose instances {@code launchers} starts (e.g. in containers), on {@code clock}. */
  public InstanceSet(
      InstanceTemplate template,
      int count,
      InstanceListener listener,
      SupervisorOptions options,
      InstanceLauncher.Factory launchers,
      InstantSource clock) {
    if (count < 0) {
      throw new IllegalArgumentException("instance count must not be negative: " + count);
    }
    this.template = template;
    this.listener = listener;
    this.options = options;
    this.clock = clock;
    this.launchers = launchers;
    this.lifecycle = new InstanceLifecycle(options);
    this.gate = new StartGate(count);
    for (int n = 1; n <= count; n++) {
      slots.add(slot(n));
    }
    this.supervisor = new SupervisorThread("pylon-supervisor-" + template.revision());
  }

  /** Starts every instance. May be called once. */
  public void start() {
    if (!startCalled.compareAndSet(false, true)) {
      throw new IllegalStateException("instances of " + template.revision() + " already started");
    }
    launches =
        new Launches(
            template.revision(),
            launchers.create(
                template.revision(),
                options,
                detail -> supervisor.post(() -> emit(Kind.WARNING, template.revision(), detail))));
    // Claimed now, not on the supervisor thread: once start() returns, whatever no set claimed may
    // be ended as a stray.
    Map<String, Integer> adoptable =
        launches.launcher().adoptable(slots.stream().map(s -> s.name).toList());
    supervisor.post(
        () -> {
          for (InstanceSlot slot : slots) {
            slot.adoptPort = adoptable.getOrDefault(slot.name, 0);
          }
          slots.forEach(this::launch);
        });
    if (options.memoryLimitMiB() > 0) {
      supervisor.every(this::watchMemory, Duration.ofMillis(250));
    }
  }

  /**
   * Blocks until at least one instance is ready (READY), or every instance failed on its first
   * start before ever being ready (FAILED, with the first such instance's exit status and last
   * output lines), or {@code timeout} passed (TIMED_OUT).
   */
  public StartOutcome awaitFirstReady(Duration timeout) {
    return gate.await(timeout);
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
    supervisor.post(() -> rescale(count));
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
    Launches current = launches;
    return current == null ? 0 : current.cpuSeconds();
  }

  /** A snapshot of every instance. */
  public List<InstanceStatus> instances() {
    if (supervisor.isCurrentOrEnded()) {
      return statuses(); // (from a listener callback: we are the supervisor thread already)
    }
    return supervisor.call(this::statuses).orElseGet(List::of);
  }

  /**
   * Stops routing to every instance (an empty ready list), sends SIGTERM to each instance's whole
   * process group, waits up to {@code grace} for all of them to be gone, then sends SIGKILL to what
   * is left; returns once no process of any instance remains (or, if even SIGKILL did not end them,
   * after a bounded wait that is logged). Safe to call more than once.
   */
  public void stop(Duration grace) {
    if (!stopCalled.compareAndSet(false, true)) {
      awaitStopped(grace.plus(Launches.KILL_WAIT).plusSeconds(10));
      return;
    }
    boolean interrupted = false;
    try {
      supervisor.call(
          () -> {
            stopping = true;
            publishReady();
            return null;
          });
      stopping = true;
      Set<RunningInstance> killed = launches == null ? Set.of() : launches.stopAll(grace);
      supervisor.call(
          () -> {
            for (InstanceSlot slot : slots) {
              RunningInstance last = slot.handle;
              String how =
                  last == null
                      ? "stopped"
                      : killed.contains(last)
                          ? "killed with SIGKILL after the "
                              + InstanceLifecycle.describe(grace)
                              + " grace period"
                          : "stopped (" + Launches.howItEnded(last) + ")";
              apply(slot, new Input.Stopped(how, last != null));
            }
            return null;
          });
    } catch (InterruptedException e) {
      interrupted = true;
      if (launches != null) {
        launches.killAll();
      }
    } finally {
      prober.shutdownNow();
      interrupted |= !supervisor.shutdown();
      if (launches != null) {
        launches.close(); // only now: a launcher's end may end its instances
      }
      stopped.countDown();
      gate.stopped();
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Lets go of every instance for the next Pylon to adopt ({@link RunningInstance#detach}): they
   * keep running and serving, nothing is reported, and the router keeps the ready list it has until
   * it stops routing. An instance that cannot outlive Pylon (a container's, a zygote's fork, one
   * without a shim) keeps serving too, for the requests the draining router still sends it, until
   * {@link #endWhatWasNotHandedOver}. After this the set reports nothing more.
   */
  public void handOver() {
    if (!stopCalled.compareAndSet(false, true)) {
      return;
    }
    try {
      supervisor.call(
          () -> {
            handedOver = true;
            return null;
          });
      List<RunningInstance> kept = launches == null ? List.of() : launches.detachAdoptable();
      log.info("{}: handed over {}", template.revision(), kept);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      prober.shutdownNow();
      supervisor.shutdown();
      gate.stopped();
    }
  }

  /**
   * After {@link #handOver} and once the router no longer sends requests here: stops (SIGTERM,
   * grace, SIGKILL) the instances no successor could adopt, then closes the launcher (a zygote).
   */
  public void endWhatWasNotHandedOver() {
    if (!handedOver || !leftoversEnded.compareAndSet(false, true)) {
      return;
    }
    try {
      if (launches != null) {
        launches.stopAll(options.grace());
      }
    } catch (InterruptedException e) {
      launches.killAll();
      Thread.currentThread().interrupt();
    } finally {
      if (launches != null) {
        launches.close();
      }
      stopped.countDown();
    }
  }

  /** {@link #stop(Duration)} with the options' grace period. */
  @Override
  public void close() {
    stop(options.grace());
  }

  // ---- supervisor thread

  /** Feeds {@code input} to the instance's life cycle and carries out what it says. */
  private void apply(InstanceSlot slot, Input input) {
    if (handedOver || stopping && !(input instanceof Input.Stopped)) {
      return; // after stop() begins, only the stop itself is reported; after a hand-over, nothing
    }
    InstanceLifecycle.Step step = lifecycle.next(slot.life, input, clock.instant());
    slot.life = step.life();
    for (Action action : step.actions()) {
      perform(slot, action);
    }
  }

  private void perform(InstanceSlot slot, Action action) {
    switch (action) {
      case Action.StartProcess start -> startProcess(slot, start.attempt(), start.port());
      case Action.Schedule timer ->
          supervisor.schedule(
              () -> apply(slot, new Input.TimerFired(timer.timer(), timer.attempt())),
              timer.delay());
      case Action.RestartAfter restart -> supervisor.schedule(() -> launch(slot), restart.delay());
      case Action.RunProbe probe -> runProbe(slot, probe.kind(), probe.attempt());
      case Action.Emit emit -> {
        emit(emit.kind(), slot.name, emit.detail());
        if (emit.kind() == Kind.READY) {
          slot.ifRunning(launches.launcher()::ready);
        }
        if (emit.kind() == Kind.READY && options.sandbox().isPresent() && !openSaid) {
          OpenListeners.warning(slot.name, slot.life.port())
              .ifPresent(w -> emit(Kind.WARNING, template.revision(), w));
          openSaid = true; // one look: the first ready instance shows how they all bind
        }
      }
      case Action.ReadyChanged changed -> publishReady();
      case Action.Terminate terminate -> slot.ifRunning(RunningInstance::terminate);
      case Action.Kill kill -> slot.ifRunning(RunningInstance::kill);
      case Action.StopGracefully stop -> stopGracefully(slot);
      case Action.FirstReady ready -> gate.ready(slot.name);
      case Action.FirstStartFailed failed ->
          gate.failed(slot.name, failed.detail(), failed.status(), slot.tail.lines());
    }
  }

  private void launch(InstanceSlot slot) {
    if (stopping || handedOver || slot.life.stopped()) {
      return;
    }
    int port;
    try {
      port = slot.adoptPort > 0 ? slot.adoptPort : freePort();
      slot.adoptPort = 0; // adopted once; a restart gets a fresh port
    } catch (IOException e) {
      log.warn("{}: no free port: {}", slot.name, e.getMessage());
      supervisor.schedule(() -> launch(slot), options.readinessInterval().multipliedBy(10));
      return;
    }
    apply(slot, new Input.Launch(port));
  }

  private void startProcess(InstanceSlot slot, int attempt, int port) {
    OutputTail tail = slot.newTail();
    LaunchRequest request =
        new LaunchRequest(
            slot.name,
            attempt,
            template.commandFor(port),
            InstanceEnvironment.forInstance(template.env(), slot.name, port),
            port,
            template.workDir(),
            options.memoryLimitMiB(),
            options.cpuLimit());
    InstanceLauncher.Output output =
        (stderr, line) -> {
          tail.add(line);
          try {
            listener.output(slot.name, stderr, line);
          } catch (RuntimeException e) {
            log.warn("instance listener failed on output", e);
          }
        };
    launches.start(
        request,
        output,
        new Launches.Outcome() {
          @Override
          public void started(RunningInstance handle) {
            supervisor.post(
                () -> {
                  slot.handle = handle;
                  apply(slot, new Input.Started(attempt, handle.pid(), handle.adopted()));
                  // A launcher that sees the port open (a fork from a zygote) has it probed at
                  // once rather than at the next start-up interval.
                  handle
                      .listening()
                      .thenRun(
                          () ->
                              supervisor.post(
                                  () ->
                                      apply(
                                          slot,
                                          new Input.TimerFired(
                                              InstanceLifecycle.Timer.STARTUP, attempt))));
                });
          }

          @Override
          public void exited(RunningInstance handle, InstanceExit exit) {
            supervisor.post(
                () -> {
                  if (!handle.gone()) {
                    handle.kill(); // the leader is gone; what it started must not outlive it
                  }
                  launches.gone(handle);
                  apply(
                      slot,
                      new Input.Exited(attempt, exit.status(), exit.how(), exit.memoryLimitHit()));
                });
          }

          @Override
          public void failed(String how) {
            tail.add(how);
            supervisor.post(() -> apply(slot, new Input.Exited(attempt, -1, how, false)));
          }
        });
  }

  /** Runs the probe off the supervisor thread; its result comes back on it. */
  private void runProbe(InstanceSlot slot, ProbeSchedule.Kind kind, int attempt) {
    Probe probe = lifecycle.probes().probe(kind);
    int port = slot.life.port();
    try {
      prober.execute(
          () -> {
            Probe.Result result = probe.check(HOST, port);
            supervisor.post(
                () ->
                    apply(slot, new Input.Probed(kind, attempt, result.passed(), result.detail())));
          });
    } catch (RejectedExecutionException stopped) {
      // stop() has begun
    }
  }

  private void rescale(int count) {
    if (stopping) {
      return;
    }
    while (slots.size() < count) {
      Set<Integer> used = new HashSet<>();
      slots.forEach(s -> used.add(s.index));
      int n = 1;
      while (used.contains(n)) {
        n++;
      }
      InstanceSlot added = slot(n);
      slots.add(added);
      slots.sort(Comparator.comparingInt(s -> s.index));
      launch(added);
    }
    while (slots.size() > count) {
      apply(slots.removeLast(), new Input.Retire());
    }
  }

  /** A scaled-down instance's stop, on its own thread: SIGTERM, grace, SIGKILL. */
  private void stopGracefully(InstanceSlot slot) {
    Launches.stopOne(
        slot.name,
        slot.handle,
        options.grace(),
        how -> supervisor.post(() -> apply(slot, new Input.Stopped("scaled down" + how, true))));
  }

  /** Every 250 ms: ends what went over the memory limit ({@link MemoryWatch}). */
  private void watchMemory() {
    if (stopping) {
      return;
    }
    Map<RunningInstance, InstanceSlot> running = new HashMap<>();
    for (InstanceSlot slot : slots) {
      if (slot.handle != null
          && slot.life.run() == InstanceLife.Run.RUNNING
          && slot.life.ending() != InstanceLife.Ending.MEMORY) {
        running.put(slot.handle, slot);
      }
    }
    MemoryWatch.over(running.keySet(), launches.launcher(), options.memoryLimitMiB())
        .forEach(
            (handle, detail) -> {
              InstanceSlot slot = running.get(handle);
              apply(slot, new Input.OverMemory(slot.life.attempt(), detail));
            });
  }

  private void publishReady() {
    List<ReadyInstance> ready = new ArrayList<>();
    if (!stopping) {
      for (InstanceSlot slot : slots) {
        if (slot.life.ready()) {
          ready.add(new ReadyInstance(slot.name, HOST, slot.life.port()));
        }
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
    return slots.stream().map(InstanceSlot::status).toList();
  }

  private void awaitStopped(Duration timeout) {
    try {
      stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(HOST, 0));
      return socket.getLocalPort();
    }
  }

  private InstanceSlot slot(int n) {
    return new InstanceSlot(
        template.revision() + "-" + n,
        n,
        lifecycle.initial(clock.instant()),
        options.outputLines());
  }
}
