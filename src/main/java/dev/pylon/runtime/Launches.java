package dev.pylon.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link InstanceSet}'s side of its {@link InstanceLauncher}: starts one at a time on a thread
 * of its own (a launch may block), keeps every instance started and not yet gone, and stops them
 * all (SIGTERM, grace, SIGKILL). Thread-safe.
 */
final class Launches {
  private static final Logger log = LoggerFactory.getLogger(Launches.class);
  static final Duration KILL_WAIT = Duration.ofSeconds(5);

  /** What becomes of one start. */
  interface Outcome {
    void started(RunningInstance instance);

    void exited(RunningInstance instance, InstanceExit exit);

    void failed(String how);
  }

  private final String revision;
  private final InstanceLauncher launcher;
  private final ExecutorService starts;
  private final Set<RunningInstance> live = ConcurrentHashMap.newKeySet();
  private final CpuAccount cpu = new CpuAccount();
  private volatile boolean stopping;

  Launches(String revision, InstanceLauncher launcher) {
    this.revision = revision;
    this.launcher = launcher;
    this.starts =
        Executors.newSingleThreadExecutor(
            r -> Thread.ofPlatform().daemon().name("pylon-starts-" + revision).unstarted(r));
  }

  InstanceLauncher launcher() {
    return launcher;
  }

  /** Starts {@code request} soon; {@code outcome} hears how it went, from other threads. */
  void start(LaunchRequest request, InstanceLauncher.Output output, Outcome outcome) {
    try {
      starts.execute(
          () -> {
            if (stopping) {
              return;
            }
            RunningInstance instance;
            try {
              instance = launcher.launch(request, output);
            } catch (InstanceLauncher.LaunchException e) {
              outcome.failed("could not be started: " + e.getMessage());
              return;
            }
            live.add(instance);
            outcome.started(instance);
            instance.exit().thenAccept(exit -> outcome.exited(instance, exit));
          });
    } catch (RejectedExecutionException stopping) {
      // stop() has begun; nothing to start.
    }
  }

  /** An instance that exited is no longer live (its CPU time stays counted). */
  void gone(RunningInstance instance) {
    live.remove(instance);
  }

  double cpuSeconds() {
    List<RunningInstance> now = List.copyOf(live);
    return cpu.update(now, launcher.cpuSeconds(now));
  }

  /**
   * Lets a start in progress finish, then stops every live instance; returns the ones that had to
   * be killed after {@code grace}. The launcher is closed only after, as its end may end them.
   */
  Set<RunningInstance> stopAll(Duration grace) throws InterruptedException {
    stopping = true;
    starts.shutdown();
    if (!starts.awaitTermination(10, TimeUnit.SECONDS)) {
      log.warn("{}: a start did not finish within 10 s", revision);
    }
    List<RunningInstance> stopping = new ArrayList<>(live);
    Set<RunningInstance> killed = GroupStop.stop(stopping, grace, KILL_WAIT, revision);
    for (RunningInstance instance : stopping) {
      awaitExit(instance);
      if (instance.gone()) {
        instance.release();
      }
    }
    return killed;
  }

  /**
   * Lets a start in progress finish, then lets go of every live instance that can outlive Pylon
   * (returned, and no longer counted live). The others stay live and serving until {@link
   * #stopAll}: the old router may still have requests on them while a successor starts their
   * replacements.
   */
  List<RunningInstance> detachAdoptable() throws InterruptedException {
    stopping = true;
    starts.shutdown();
    if (!starts.awaitTermination(10, TimeUnit.SECONDS)) {
      log.warn("{}: a start did not finish within 10 s", revision);
    }
    List<RunningInstance> kept = new ArrayList<>();
    for (RunningInstance instance : live) {
      if (instance.detach()) {
        kept.add(instance);
        live.remove(instance);
      }
    }
    return kept;
  }

  /**
   * Stops one instance on a thread of its own (SIGTERM, grace, SIGKILL); then tells {@code how} it
   * ended: " (exited with status 0)", or ": killed with SIGKILL after the 10 s grace".
   */
  static void stopOne(
      String name,
      RunningInstance instance,
      Duration grace,
      java.util.function.Consumer<String> how) {
    Thread.ofPlatform()
        .daemon()
        .name(name + "-stopper")
        .start(
            () -> {
              boolean killed = !GroupStop.stop(List.of(instance), grace, KILL_WAIT, name).isEmpty();
              awaitExit(instance);
              how.accept(
                  killed
                      ? ": killed with SIGKILL after the "
                          + InstanceLifecycle.describe(grace)
                          + " grace"
                      : " (" + howItEnded(instance) + ")");
            });
  }

  void killAll() {
    live.forEach(RunningInstance::kill);
  }

  void close() {
    starts.shutdownNow();
    launcher.close();
  }

  static void awaitExit(RunningInstance instance) {
    try {
      instance.exit().get(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      // the caller says "still running"
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** How it ended, or "still running". */
  static String howItEnded(RunningInstance instance) {
    InstanceExit exit = instance.exit().getNow(null);
    return exit == null ? "still running" : exit.how();
  }
}
