package dev.pylon.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts instances from a zygote where it can, cold where it cannot. Once an instance of the
 * revision has passed its start-up probe, the launcher starts a template process ({@code
 * pylon_zygote.py}, through the cold {@link ProcessLauncher}: its own process group, cgroup and
 * limits, killed with Pylon) that imports what that instance's command imported and then waits. The
 * next instance (scale from zero, scale out, a restart) is forked from it: no interpreter start, no
 * imports. Any failure of the zygote starts the instance cold instead, never fails it; the zygote
 * is stopped once the revision has had no instance for {@code idleWindow}, so a revision idle at
 * zero gives its memory back after that longer window.
 *
 * <p>What a fork shares with its template is what the template made before the fork (imported
 * modules, and anything the app's import opened): see {@code docs/configuration.md}, "Warm starts".
 */
public final class ZygoteLauncher implements InstanceLauncher {
  private static final Logger log = LoggerFactory.getLogger(ZygoteLauncher.class);

  /** How long a revision keeps its zygote with no instance running, unless told otherwise. */
  public static final Duration DEFAULT_IDLE_WINDOW = Duration.ofMinutes(15);

  private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration STOP_WAIT = Duration.ofSeconds(5);
  private static final int TEMPLATE_TRIES = 3;
  private static final int TEMPLATE_LINES = 20;

  private final String revision;
  private final SupervisorOptions options;
  private final Consumer<String> warnings;
  private final CriuCheck criu;
  private final Duration idleWindow;
  private final ProcessLauncher cold;
  // The zygote itself never runs under the shim: it is a cache, not an instance, and must die
  // with the daemon (parent-death signal) rather than outlive it with nobody to adopt it.
  private final ProcessLauncher templates;
  private final Set<String> adopting = new HashSet<>();
  private final ScheduledExecutorService timer;
  // Made with the first zygote, off the reconciler's thread: Jackson's first mapper costs a cold
  // daemon hundreds of milliseconds on a busy machine, which a revision that never forks need not
  // pay.
  private volatile ZygoteFork forks;
  private final AtomicBoolean fallbackSaid = new AtomicBoolean();
  private final AtomicBoolean snapshotsSaid = new AtomicBoolean();

  private final Object lock = new Object();
  private final Set<RunningInstance> live = new HashSet<>(); // guarded by lock
  private Template template; // guarded by lock; null: none (yet, or any more)
  private boolean templateStarting; // guarded by lock
  private int templateFailures; // guarded by lock
  private int templatesStarted; // guarded by lock
  private LaunchRequest model; // guarded by lock: the last cold start a zygote may stand in for
  private ScheduledFuture<?> idleStop; // guarded by lock
  private boolean closed; // guarded by lock
  private Path dir; // guarded by lock: the zygote's script and sockets, made with the first

  /**
   * @param criu asked (once per daemon) whether CRIU snapshots could serve instead; its answer is
   *     said once per revision
   * @param idleWindow how long the zygote outlives the revision's last instance; zero: no zygote
   */
  public ZygoteLauncher(
      String revision,
      SupervisorOptions options,
      Consumer<String> warnings,
      CriuCheck criu,
      Duration idleWindow) {
    this.revision = revision;
    this.options = options;
    this.warnings = warnings;
    this.criu = criu;
    this.idleWindow = idleWindow;
    this.cold = new ProcessLauncher(revision, options, warnings);
    this.templates = new ProcessLauncher(revision, options.withShim(false), warnings);
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("pylon-zygote-" + revision).unstarted(r));
  }

  /** Launchers for {@link InstanceSet}s that share one CRIU check. */
  public static Factory factory(CriuCheck criu, Duration idleWindow) {
    return (revision, options, warnings) ->
        new ZygoteLauncher(revision, options, warnings, criu, idleWindow);
  }

  /**
   * What a previous daemon left running under the shim is adopted by the cold launcher (its
   * instances were started cold, or forked and then ended with their zygote).
   */
  @Override
  public Map<String, Integer> adoptable(Collection<String> instances) {
    Map<String, Integer> found = cold.adoptable(instances);
    synchronized (lock) {
      adopting.addAll(found.keySet());
    }
    return found;
  }

  @Override
  public RunningInstance launch(LaunchRequest request, Output output) throws LaunchException {
    boolean adopt;
    synchronized (lock) {
      adopt = adopting.remove(request.instance());
    }
    Optional<String> whyNot =
        adopt
            ? Optional.of("the instance is adopted from a previous daemon")
            : options.sandbox().isPresent()
                ? Optional.of("instances run in the sandbox")
                : ZygoteCommand.whyNot(request.command(), request.env());
    Template warm;
    synchronized (lock) {
      if (idleStop != null) {
        idleStop.cancel(false);
        idleStop = null;
      }
      warm = template;
    }
    if (whyNot.isEmpty() && warm != null && warm.accepting()) {
      Optional<RunningInstance> forked = fork(warm, request, output);
      if (forked.isPresent()) {
        return forked.get();
      }
    }
    RunningInstance started = cold.launch(request, output);
    synchronized (lock) {
      if (whyNot.isEmpty()) {
        model = request;
      }
    }
    return track(started);
  }

  private Optional<RunningInstance> fork(Template warm, LaunchRequest request, Output output) {
    InstanceCgroup cgroup = cold.makeCgroup(request);
    long began = System.nanoTime();
    try {
      ForkedInstance forked = forks.fork(warm.socket, request, cgroup, options.runDir(), output);
      log.info(
          "{}: forked from the zygote as pid {} in {} ms",
          request.instance(),
          forked.pid(),
          (System.nanoTime() - began) / 1_000_000);
      synchronized (lock) {
        warm.forks++;
      }
      forked
          .exit()
          .whenComplete(
              (exit, error) -> {
                boolean last;
                synchronized (lock) {
                  last = --warm.forks == 0 && warm.retired;
                }
                if (last) {
                  timer.execute(() -> stop(warm)); // its forks die with it: not before the last
                }
              });
      return Optional.of(track(forked));
    } catch (IOException e) {
      if (cgroup != null) {
        cgroup.remove(Duration.ZERO);
      }
      String why = request.instance() + " starts cold: the zygote failed (" + e.getMessage() + ")";
      log.warn("{}", why);
      if (fallbackSaid.compareAndSet(false, true)) {
        warnings.accept(why + "; it is made again once an instance is ready");
      }
      retire(warm);
      return Optional.empty();
    }
  }

  private RunningInstance track(RunningInstance instance) {
    synchronized (lock) {
      live.add(instance);
    }
    instance.exit().whenComplete((exit, error) -> gone(instance));
    return instance;
  }

  private void gone(RunningInstance instance) {
    synchronized (lock) {
      live.remove(instance);
      if (live.isEmpty() && template != null && !closed && idleStop == null) {
        Template idle = template;
        idleStop =
            timer.schedule(() -> stopIfIdle(idle), idleWindow.toMillis(), TimeUnit.MILLISECONDS);
      }
    }
  }

  @Override
  public void ready(RunningInstance instance) {
    if (idleWindow.isZero() || idleWindow.isNegative()) {
      return;
    }
    synchronized (lock) {
      if (closed
          || template != null
          || templateStarting
          || model == null
          || templateFailures >= TEMPLATE_TRIES) {
        return;
      }
      templateStarting = true;
    }
    timer.execute(this::startTemplate);
  }

  /** On the timer thread. */
  private void startTemplate() {
    LaunchRequest like;
    Path socket;
    Path script;
    int n;
    try {
      if (forks == null) {
        forks = new ZygoteFork(new ObjectMapper(), timer, ANSWER_TIMEOUT);
      }
      sayWhyNotSnapshots();
      synchronized (lock) {
        if (closed) {
          return;
        }
        if (dir == null) {
          dir = Files.createTempDirectory("pylon-zygote-");
        }
        like = model;
        n = ++templatesStarted;
        socket = dir.resolve("z" + n + ".sock");
        script = BuiltinWorker.materializeZygote(dir);
      }
    } catch (IOException e) {
      log.warn("{}: no zygote: {}", revision, e.toString());
      synchronized (lock) {
        templateStarting = false;
        templateFailures = TEMPLATE_TRIES;
      }
      return;
    }
    LaunchRequest request =
        new LaunchRequest(
            revision + "-zygote",
            n,
            ZygoteCommand.template(like.command(), script, socket),
            like.env(),
            like.port(),
            like.workDir(),
            like.memoryLimitMiB(),
            like.cpuLimit());
    Deque<String> lines = new ArrayDeque<>();
    Output output =
        (stderr, line) -> {
          synchronized (lines) {
            if (lines.size() == TEMPLATE_LINES) {
              lines.removeFirst();
            }
            lines.addLast(line);
          }
          if (line.contains("pylon-zygote[") && line.contains("ready:")) {
            log.info("{}: {}", revision, line);
          } else {
            log.debug("{} zygote: {}", revision, line);
          }
        };
    RunningInstance process;
    try {
      process = templates.launch(request, output);
    } catch (LaunchException e) {
      templateEnded(null, "could not be started: " + e.getMessage(), List.of());
      return;
    }
    Template made = new Template(process, socket);
    synchronized (lock) {
      templateStarting = false;
      if (closed) {
        made.retired = true;
      } else {
        template = made;
        if (live.isEmpty()) {
          idleStop =
              timer.schedule(() -> stopIfIdle(made), idleWindow.toMillis(), TimeUnit.MILLISECONDS);
        }
      }
    }
    if (made.retired) {
      stop(made);
    }
    process
        .exit()
        .thenAccept(
            exit -> {
              List<String> last;
              synchronized (lines) {
                last = List.copyOf(lines);
              }
              templateEnded(made, exit.how(), last);
            });
  }

  private void sayWhyNotSnapshots() {
    if (!snapshotsSaid.compareAndSet(false, true)) {
      return;
    }
    CriuCheck.Result snapshots = criu.result();
    warnings.accept(
        "snapshot starts (CRIU) are not used: "
            + snapshots.reason()
            + "; new instances fork from a zygote (a process that imported the app once)");
  }

  /** The template ended: expected when it was retired, a failure (said once) when not. */
  private void templateEnded(Template ended, String how, List<String> lastLines) {
    boolean unexpected;
    synchronized (lock) {
      if (ended == null) {
        templateStarting = false;
      } else if (template == ended) {
        template = null;
      }
      unexpected = ended == null || !ended.retired;
      if (unexpected) {
        templateFailures++;
      }
    }
    if (ended != null) {
      ended.process.release();
      try {
        Files.deleteIfExists(ended.socket);
      } catch (IOException ignored) {
        // the zygote's own name; the folder goes at close
      }
    }
    if (unexpected) {
      String why =
          "the zygote "
              + how
              + (lastLines.isEmpty() ? "" : " (last line: " + lastLines.getLast() + ")")
              + "; new instances start cold";
      log.warn("{}: {}", revision, why);
      if (fallbackSaid.compareAndSet(false, true)) {
        warnings.accept(why);
      }
    }
  }

  private void stopIfIdle(Template idle) {
    synchronized (lock) {
      if (template != idle || !live.isEmpty()) {
        return;
      }
      idleStop = null;
    }
    log.info(
        "{}: stopping its zygote: no instance for {}",
        revision,
        InstanceLifecycle.describe(idleWindow));
    retire(idle);
  }

  /** Stops {@code old} on purpose; the next ready instance makes a new one. */
  private void retire(Template old) {
    boolean now;
    synchronized (lock) {
      if (template == old) {
        template = null;
      }
      old.retired = true;
      now = old.forks == 0;
    }
    if (now) {
      timer.execute(() -> stop(old));
    } // else the last of its forks to end stops it: a zygote's end kills what it forked
  }

  private void stop(Template old) {
    old.process.terminate();
    try {
      old.process.exit().get(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception notYet) {
      old.process.kill();
    }
  }

  /** Whether a zygote runs now (for tests and reports). */
  boolean hasTemplate() {
    synchronized (lock) {
      return template != null && template.process.alive();
    }
  }

  /** Whether a zygote has imported the app and listens (for tests). */
  boolean templateAccepting() {
    synchronized (lock) {
      return template != null && template.accepting();
    }
  }

  /** The running zygote's process, if any (for tests). */
  Optional<RunningInstance> templateProcess() {
    synchronized (lock) {
      return Optional.ofNullable(template).map(t -> t.process);
    }
  }

  @Override
  public Map<RunningInstance, Long> residentBytes(Collection<RunningInstance> instances) {
    Map<RunningInstance, Long> bytes = new HashMap<>(cold.residentBytes(instances));
    for (RunningInstance instance : instances) {
      if (instance instanceof ForkedInstance forked && forked.alive()) {
        forked.residentBytes().ifPresent(b -> bytes.put(forked, b));
      }
    }
    return bytes;
  }

  @Override
  public Map<RunningInstance, Double> cpuSeconds(Collection<RunningInstance> instances) {
    return cold.cpuSeconds(instances); // by cgroup, else by process group: both kinds have one
  }

  @Override
  public void close() {
    Template last;
    synchronized (lock) {
      closed = true;
      if (idleStop != null) {
        idleStop.cancel(false);
      }
      last = template;
      template = null;
      if (last != null) {
        last.retired = true;
      }
    }
    if (last != null) {
      stop(last);
      Launches.awaitExit(last.process);
      last.process.release();
    }
    timer.shutdownNow();
    cold.close();
    templates.close();
    Path made;
    synchronized (lock) {
      made = dir;
    }
    if (made != null) {
      try (Stream<Path> files = Files.walk(made)) {
        for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(file);
        }
      } catch (IOException e) {
        log.debug("{}: leaving {}: {}", revision, made, e.toString());
      }
    }
  }

  /** A running zygote: its process (started cold) and the socket it listens on once ready. */
  private static final class Template {
    final RunningInstance process;
    final Path socket;
    volatile boolean retired;
    int forks; // guarded by the launcher's lock: its forks still running

    Template(RunningInstance process, Path socket) {
      this.process = process;
      this.socket = socket;
    }

    /** Whether it has imported the app and listens (it names its socket only then). */
    boolean accepting() {
      return !retired && process.alive() && Files.exists(socket);
    }
  }
}
