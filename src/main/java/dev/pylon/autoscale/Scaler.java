package dev.pylon.autoscale;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plumbing around the pure {@link Autoscaler}: on one thread, samples each registered
 * revision's load several times a second into its {@link MetricWindow}, decides once a second, and
 * pushes a changed desired count to the instance supervisor.
 *
 * <p>Wiring: {@link LoadSource} is the router's per-revision in-flight gauge (queued requests
 * included); {@link ReadyCount} and {@link ScaleTarget} are the supervisor's. When the router holds
 * a request for a revision with no ready instance, it calls {@link #poke} so scaling from zero does
 * not wait for the next tick.
 */
public final class Scaler implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Scaler.class);

  /** Default: sample the in-flight gauge four times per bucket, so a bucket holds its average. */
  public static final Duration DEFAULT_SAMPLE_PERIOD = Duration.ofMillis(250);

  /** Default: one decision per second (Knative's tick-interval is 2 s). */
  public static final Duration DEFAULT_TICK = Duration.ofSeconds(1);

  /** The current load of one revision, in the unit of the given metric. */
  @FunctionalInterface
  public interface LoadSource {
    double sample(String revision, ScalingMetric metric);
  }

  /** How many of a revision's instances are ready to serve now. */
  @FunctionalInterface
  public interface ReadyCount {
    int ready(String revision);
  }

  /**
   * How many instances a revision has, ready or still starting (restarting after a crash, adopted
   * from a previous daemon): never fewer than its ready ones.
   */
  @FunctionalInterface
  public interface RunningCount {
    int running(String revision);
  }

  /** Receives a revision's decision when its desired count changes (and its first one). */
  @FunctionalInterface
  public interface ScaleTarget {
    void scale(String revision, Decision decision);
  }

  private final Clock clock;
  private final LoadSource load;
  private final ReadyCount ready;
  private final RunningCount running;
  private final ScaleTarget target;
  private final Map<String, Revision> revisions = new ConcurrentHashMap<>();
  private ScheduledExecutorService executor;

  /** A scaler whose revisions have no instances but their ready ones (none start slowly). */
  public Scaler(Clock clock, LoadSource load, ReadyCount ready, ScaleTarget target) {
    this(clock, load, ready, ready::ready, target);
  }

  public Scaler(
      Clock clock, LoadSource load, ReadyCount ready, RunningCount running, ScaleTarget target) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.load = Objects.requireNonNull(load, "load");
    this.ready = Objects.requireNonNull(ready, "ready");
    this.running = Objects.requireNonNull(running, "running");
    this.target = Objects.requireNonNull(target, "target");
  }

  /** One revision's policy, window and state. Guarded by its own monitor. */
  private static final class Revision {
    Autoscaler autoscaler;
    MetricWindow window;
    ScalerState state;
    Decision last;
    int pushed = -1;

    Revision(ScalingPolicy policy, ScalerState state) {
      this.autoscaler = new Autoscaler(policy);
      this.window = new MetricWindow(policy);
      this.state = state;
    }
  }

  /** Starts scaling a new revision; its start counts as activity (no scale to zero at once). */
  public void register(String revision, ScalingPolicy policy) {
    register(revision, policy, ScalerState.start(clock.instant()));
  }

  /**
   * Starts scaling a revision from a given state, e.g. {@link ScalerState#afterRestart} when the
   * daemon comes back to instances that already run.
   */
  public void register(String revision, ScalingPolicy policy, ScalerState state) {
    revisions.put(revision, new Revision(policy, state));
  }

  /** Changes a revision's policy (pylon scale); the window is kept when its sizes stay. */
  public void update(String revision, ScalingPolicy policy) {
    Revision r = revisions.get(revision);
    if (r == null) {
      register(revision, policy);
      return;
    }
    synchronized (r) {
      ScalingPolicy old = r.autoscaler.policy();
      r.autoscaler = new Autoscaler(policy);
      if (!old.stableWindow().equals(policy.stableWindow())
          || !old.panicWindow().equals(policy.panicWindow())
          || old.metric() != policy.metric()) {
        r.window = new MetricWindow(policy);
      }
      r.pushed = -1;
    }
  }

  /** Stops scaling a revision (it was deleted or retired). */
  public void unregister(String revision) {
    revisions.remove(revision);
  }

  /** The latest decision for a revision, for displays such as {@code pylon instances}. */
  public Optional<Decision> lastDecision(String revision) {
    Revision r = revisions.get(revision);
    if (r == null) {
      return Optional.empty();
    }
    synchronized (r) {
      return Optional.ofNullable(r.last);
    }
  }

  /** Records one load sample for every revision, at the clock's time. */
  public void sample() {
    Instant now = clock.instant();
    revisions.forEach((name, r) -> sample(name, r, now));
  }

  private void sample(String name, Revision r, Instant now) {
    try {
      synchronized (r) {
        double v = load.sample(name, r.autoscaler.policy().metric());
        r.window.record(now, Math.max(0, v));
      }
    } catch (RuntimeException e) {
      log.warn("could not sample the load of revision {}: {}", name, e.toString());
    }
  }

  /** Decides for every revision and pushes the counts that changed. */
  public void decide() {
    Instant now = clock.instant();
    revisions.forEach((name, r) -> decide(name, r, now));
  }

  private void decide(String name, Revision r, Instant now) {
    try {
      Decision d;
      boolean push;
      synchronized (r) {
        int readyNow = ready.ready(name);
        int runningNow = Math.max(readyNow, running.running(name));
        d = r.autoscaler.decide(now, r.window.stats(now), readyNow, runningNow, r.state);
        r.state = d.state();
        r.last = d;
        push = d.desiredInstances() != r.pushed;
        if (push) {
          r.pushed = d.desiredInstances();
        }
      }
      if (push) {
        log.debug("revision {}: {}", name, d);
        target.scale(name, d);
      }
    } catch (RuntimeException e) {
      log.warn("could not scale revision {}: {}", name, e.toString());
    }
  }

  /**
   * A request is waiting for a revision: sample and decide for it now rather than at the next tick.
   * Runs on the scaler's thread when started, else in the caller's.
   */
  public void poke(String revision) {
    Runnable now =
        () -> {
          Revision r = revisions.get(revision);
          if (r != null) {
            Instant t = clock.instant();
            sample(revision, r, t);
            decide(revision, r, t);
          }
        };
    ScheduledExecutorService e;
    synchronized (this) {
      e = executor;
    }
    if (e != null && !e.isShutdown()) {
      e.execute(now);
    } else {
      now.run();
    }
  }

  /** Starts sampling and deciding on a daemon thread of its own, at the default periods. */
  public void start() {
    start(DEFAULT_SAMPLE_PERIOD, DEFAULT_TICK);
  }

  /** Starts sampling every {@code samplePeriod} and deciding every {@code tick}. */
  public synchronized void start(Duration samplePeriod, Duration tick) {
    if (executor != null) {
      throw new IllegalStateException("the scaler is already started");
    }
    executor =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread t = new Thread(runnable, "pylon-autoscaler");
              t.setDaemon(true);
              return t;
            });
    long sampleNanos = samplePeriod.toNanos();
    long tickNanos = tick.toNanos();
    executor.scheduleAtFixedRate(this::sample, 0, sampleNanos, TimeUnit.NANOSECONDS);
    executor.scheduleAtFixedRate(this::decide, tickNanos / 2, tickNanos, TimeUnit.NANOSECONDS);
  }

  /** Stops the thread; waits briefly for a decision in progress. */
  @Override
  public void close() {
    ScheduledExecutorService e;
    synchronized (this) {
      e = executor;
    }
    if (e == null) {
      return;
    }
    e.shutdownNow();
    try {
      if (!e.awaitTermination(2, TimeUnit.SECONDS)) {
        log.warn("the autoscaler thread did not stop within 2 s");
      }
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
    }
  }
}
