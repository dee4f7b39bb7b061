package dev.pylon.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts each instance as a process on this machine: the leader of its own session and process
 * group ({@code setsid}), killed with Pylon ({@code setpriv --pdeathsig}), optionally inside
 * bubblewrap ({@link Sandbox}) and a cgroup of its own for its limits ({@link InstanceCgroup}),
 * with a pid file in the run directory ({@link StrayInstances}). Processes are started on one
 * long-lived thread of its own, because a child's parent-death signal fires when the thread that
 * started it ends; {@link #close} ends that thread once every instance is gone.
 */
public final class ProcessLauncher implements InstanceLauncher {
  private static final Logger log = LoggerFactory.getLogger(ProcessLauncher.class);
  private static final Duration KILL_WAIT = Duration.ofSeconds(5);
  private static final Duration OUTPUT_DRAIN = Duration.ofSeconds(1);

  private final String revision;
  private final SupervisorOptions options;
  private final Consumer<String> warnings;
  private final ExecutorService starter;
  private final Future<List<String>> wrapper;
  private final CgroupSupport cgroups; // null: no limit needs one
  private final String cgroupToken =
      Long.toString(ThreadLocalRandom.current().nextLong(1L << 30), 36);
  private final AtomicBoolean cgroupFailureSaid = new AtomicBoolean();
  private volatile long clockTicksPerSecond;

  /**
   * @param revision the revision's name, for thread names and messages
   * @param warnings receives, once, what the user should know about how limits are enforced
   */
  public ProcessLauncher(String revision, SupervisorOptions options, Consumer<String> warnings) {
    this.revision = revision;
    this.options = options;
    this.warnings = warnings;
    this.starter =
        Executors.newSingleThreadExecutor(
            r -> Thread.ofPlatform().daemon().name("pylon-launcher-" + revision).unstarted(r));
    this.wrapper = starter.submit(() -> ProcessWrapper.prefix(options.parentDeathSignal()));
    if (options.memoryLimitMiB() > 0 || options.cpuLimit() > 0) {
      cgroups =
          options.cgroups()
              ? CgroupSupport.detect()
              : new CgroupSupport(
                  CgroupSupport.Mode.NONE,
                  Optional.empty(),
                  Optional.empty(),
                  "cgroups are turned off");
      log.debug("{}: cgroups: {}", revision, cgroups.reason());
      InstanceCgroup.removeStrays(cgroups);
      sayWhatLimitsCannotUseCgroups(cgroups.reason(), cgroups.limitsMemory(), cgroups.limitsCpu());
    } else {
      cgroups = null;
    }
  }

  @Override
  public RunningInstance launch(LaunchRequest request, Output output) throws LaunchException {
    Future<Started> started;
    try {
      started = starter.submit(() -> start(request, output));
    } catch (RejectedExecutionException closed) {
      throw new LaunchException("Pylon is stopping");
    }
    try {
      return started.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof LaunchException failed) {
        throw failed;
      }
      throw new LaunchException(String.valueOf(e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LaunchException("interrupted");
    }
  }

  @Override
  public Map<RunningInstance, Long> residentBytes(Collection<RunningInstance> instances) {
    Map<Long, RunningInstance> byGroup = new HashMap<>();
    for (RunningInstance instance : instances) {
      if (instance instanceof Started s && s.alive()) {
        byGroup.put(s.pid(), s);
      }
    }
    Map<RunningInstance, Long> bytes = new HashMap<>();
    ProcessGroups.residentBytes(byGroup.keySet()).forEach((g, b) -> bytes.put(byGroup.get(g), b));
    return bytes;
  }

  @Override
  public Map<RunningInstance, Double> cpuSeconds(Collection<RunningInstance> instances) {
    Map<RunningInstance, Double> seconds = new HashMap<>();
    Map<Long, RunningInstance> byGroup = new HashMap<>();
    for (RunningInstance instance : instances) {
      OptionalDouble fromCgroup = instance.cpuSeconds();
      if (fromCgroup.isPresent()) {
        seconds.put(instance, fromCgroup.getAsDouble());
      } else {
        byGroup.put(instance.pid(), instance);
      }
    }
    if (!byGroup.isEmpty()) {
      long perSecond = ticksPerSecond();
      ProcessGroups.cpuTicks(byGroup.keySet())
          .forEach((g, ticks) -> seconds.put(byGroup.get(g), ticks / (double) perSecond));
    }
    return seconds;
  }

  @Override
  public void close() {
    starter.shutdown();
  }

  private long ticksPerSecond() {
    if (clockTicksPerSecond == 0) {
      clockTicksPerSecond = ProcessGroups.clockTicksPerSecond();
    }
    return clockTicksPerSecond;
  }

  /** On the starter thread. */
  private Started start(LaunchRequest request, Output output) throws LaunchException {
    List<String> command = new ArrayList<>();
    if (options.sandbox().isPresent()) {
      Optional<Path> bwrap = Sandbox.bubblewrap();
      if (bwrap.isEmpty()) {
        throw new LaunchException("the sandbox needs bubblewrap (bwrap), which is not installed");
      }
      command.addAll(options.sandbox().get().prefix(bwrap.get(), request.workDir()));
    }
    command.addAll(request.command());
    InstanceCgroup cgroup = makeCgroup(request);
    if (cgroup != null) {
      command = cgroup.joinCommand(command); // joined before bubblewrap or the app runs
    }
    try {
      command.addAll(0, wrapper.get()); // setsid and setpriv keep the pid: the leader is in it
    } catch (ExecutionException e) {
      log.warn("{}: cannot find setsid/setpriv: {}", revision, e.getCause().toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    ProcessBuilder builder = new ProcessBuilder(command).directory(request.workDir().toFile());
    builder.environment().putAll(request.env());
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      if (cgroup != null) {
        cgroup.remove(Duration.ZERO);
      }
      throw new LaunchException(e.getMessage());
    }
    Started started = new Started(request.instance(), process, cgroup);
    options
        .runDir()
        .ifPresent(dir -> StrayInstances.record(dir, request.instance(), process.pid()));
    Thread stdout = readLines(request.instance(), process.getInputStream(), false, output);
    Thread stderr = readLines(request.instance(), process.getErrorStream(), true, output);
    Thread.ofPlatform()
        .daemon()
        .name(request.instance() + "-waiter")
        .start(() -> started.awaitExit(stdout, stderr));
    return started;
  }

  /**
   * The cgroup for this start's limits, or null when none is needed or none can be made (said once;
   * the memory watch then covers the instance). {@link ZygoteLauncher} puts its forks in one too.
   */
  InstanceCgroup makeCgroup(LaunchRequest request) {
    CgroupSupport support = cgroups;
    if (support == null
        || !(support.limitsMemory() && request.memoryLimitMiB() > 0
            || support.limitsCpu() && request.cpuLimit() > 0)) {
      return null;
    }
    // The launcher's token: a revision started again while its old set drains has the same
    // instance names and attempt numbers, and must not meet the old set's cgroups.
    String name =
        ("pylon-"
                + ProcessHandle.current().pid()
                + "-"
                + request.instance()
                + "-"
                + request.attempt()
                + "-"
                + cgroupToken)
            .replaceAll("[^A-Za-z0-9_.-]", "_");
    try {
      return InstanceCgroup.create(
          support,
          name,
          support.limitsMemory() ? request.memoryLimitMiB() : 0,
          support.limitsCpu() ? request.cpuLimit() : 0);
    } catch (IOException e) {
      sayWhatLimitsCannotUseCgroups(
          "making " + name + " failed: " + e.getClass().getSimpleName() + " " + e.getMessage(),
          false,
          false);
      return null;
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
      log.warn("{}: {}", revision, detail);
      warnings.accept(detail);
    }
  }

  private static Thread readLines(String name, InputStream stream, boolean isStderr, Output out) {
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
                      try {
                        out.line(isStderr, line);
                      } catch (RuntimeException e) {
                        log.warn("instance output handler failed", e);
                      }
                    });
              } catch (IOException closed) {
                // the process and everything holding its pipe are gone
              }
            });
  }

  /** One process group started for an instance. */
  private final class Started implements RunningInstance {
    private final String instance;
    private final Process process;
    private final InstanceCgroup cgroup; // null: none (the memory watch covers it)
    private final CompletableFuture<InstanceExit> exit = new CompletableFuture<>();
    private final AtomicBoolean released = new AtomicBoolean();

    Started(String instance, Process process, InstanceCgroup cgroup) {
      this.instance = instance;
      this.process = process;
      this.cgroup = cgroup;
    }

    /** On the waiter thread: the leader's exit, then what it left, then its output. */
    void awaitExit(Thread stdout, Thread stderr) {
      int status = waitUninterruptibly(process);
      if (!ProcessGroups.members(process.pid()).isEmpty()) {
        // What the leader leaves (e.g. gunicorn's workers) holds its output open and would delay
        // the restart; it must not outlive the leader anyway.
        ProcessGroups.signalGroup(process.pid(), "KILL");
      }
      boolean memoryKill =
          cgroup != null && cgroup.memoryLimitMiB() > 0 && cgroup.memoryKills() > 0;
      join(stdout, stderr, OUTPUT_DRAIN);
      forgetPidFile();
      exit.complete(new InstanceExit(status, ExitStatus.describe(process), memoryKill));
      if (cgroup != null) {
        cgroup.remove(KILL_WAIT); // after the supervisor has had its chance to end what is left
      }
    }

    @Override
    public long pid() {
      return process.pid();
    }

    @Override
    public boolean alive() {
      return process.isAlive();
    }

    @Override
    public boolean gone() {
      return !process.isAlive() && ProcessGroups.members(process.pid()).isEmpty();
    }

    /** SIGTERM to the instance's processes; under bubblewrap, to the app's and not bwrap's. */
    @Override
    public void terminate() {
      if (options.sandbox().isPresent()) {
        ProcessGroups.signalAllBut(process.pid(), "TERM", Sandbox.BWRAP_COMM);
      } else {
        ProcessGroups.signal(process.toHandle(), "TERM");
      }
    }

    @Override
    public void kill() {
      ProcessGroups.signal(process.toHandle(), "KILL");
    }

    @Override
    public CompletableFuture<InstanceExit> exit() {
      return exit;
    }

    @Override
    public OptionalDouble cpuSeconds() {
      return cgroup != null ? cgroup.cpuSeconds() : OptionalDouble.empty();
    }

    @Override
    public OptionalLong residentBytes() {
      Long bytes = ProcessGroups.residentBytes(java.util.Set.of(process.pid())).get(process.pid());
      return bytes == null ? OptionalLong.empty() : OptionalLong.of(bytes);
    }

    @Override
    public boolean kernelLimitsMemory() {
      return cgroup != null && cgroup.memoryLimitMiB() > 0;
    }

    @Override
    public boolean memoryLimitHit() {
      return kernelLimitsMemory() && cgroup.memoryKills() > 0;
    }

    @Override
    public void release() {
      if (released.compareAndSet(false, true)) {
        forgetPidFile();
        if (cgroup != null) {
          cgroup.remove(Duration.ofSeconds(1));
        }
      }
    }

    private void forgetPidFile() {
      options.runDir().ifPresent(dir -> StrayInstances.forget(dir, instance, process.pid()));
    }

    @Override
    public String toString() {
      return instance + " (pid " + process.pid() + ")";
    }
  }

  private static void join(Thread first, Thread second, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Thread reader : new Thread[] {first, second}) {
      long left = deadline - System.nanoTime();
      if (left > 0) {
        try {
          reader.join(Duration.ofNanos(left));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private static int waitUninterruptibly(Process process) {
    while (true) {
      try {
        return process.waitFor();
      } catch (InterruptedException e) {
        // only a stop ends a waiter, by ending the process
      }
    }
  }
}
