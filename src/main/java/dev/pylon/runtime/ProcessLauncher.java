package dev.pylon.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
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
import java.util.concurrent.ConcurrentHashMap;
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
 *
 * <p>With {@link SupervisorOptions#shim} each instance runs under its own supervisor instead
 * ({@link ShimInstance}): no parent-death signal, output to files, so it outlives this Pylon and
 * the next one adopts it ({@link #adoptable}).
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
  private final Path shimScript; // null: instances die with Pylon (no shim)
  private final Map<String, StrayInstances.Supervised> claimed = new ConcurrentHashMap<>();

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
    this.shimScript = shimScript(revision, options);
    boolean shimmed = shimScript != null;
    this.wrapper =
        starter.submit(
            () -> shimmed ? List.of() : ProcessWrapper.prefix(options.parentDeathSignal()));
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
    Future<RunningInstance> started;
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

  /** The shim script written next to the run directory, or null when instances need none. */
  private static Path shimScript(String revision, SupervisorOptions options) {
    if (!options.shim() || options.runDir().isEmpty()) {
      return null;
    }
    try {
      return BuiltinWorker.materialize(
          options.runDir().get().resolveSibling("lib"),
          BuiltinWorker.resource(ShimInstance.SCRIPT),
          "pylon_shim");
    } catch (IOException e) {
      log.warn(
          "{}: cannot write {}, instances die with Pylon: {}",
          revision,
          ShimInstance.SCRIPT,
          e.getMessage());
      return null;
    }
  }

  /**
   * Claims, for this Pylon, the instances among {@code instances} that a previous Pylon left
   * running under their shims (handed over, or its owner killed), so that nothing ends them as
   * strays; {@link #launch} then adopts each on its port.
   */
  @Override
  public Map<String, Integer> adoptable(Collection<String> instances) {
    if (shimScript == null) {
      return Map.of();
    }
    Map<String, StrayInstances.Supervised> found =
        StrayInstances.adoptable(options.runDir().get(), revision);
    Map<String, Integer> ports = new HashMap<>();
    for (String instance : instances) {
      StrayInstances.Supervised record = found.get(instance);
      if (record != null) {
        StrayInstances.setOwner(options.runDir().get(), record, true);
        claimed.put(instance, record);
        ports.put(instance, record.port());
      }
    }
    return ports;
  }

  @Override
  public Map<RunningInstance, Long> residentBytes(Collection<RunningInstance> instances) {
    Map<Long, RunningInstance> byGroup = new HashMap<>();
    for (RunningInstance instance : instances) {
      if ((instance instanceof Started || instance instanceof ShimInstance) && instance.alive()) {
        byGroup.put(instance.pid(), instance);
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
    // claimed for adoption and never launched (the set stopped first): nobody else will end them
    for (StrayInstances.Supervised left : claimed.values()) {
      ProcessGroups.signalGroup(left.pid(), "KILL");
      StrayInstances.forget(options.runDir().get(), left.instance(), left.pid());
      ShimInstance.deleteFolder(options.runDir().get().resolve(left.folder()));
    }
    claimed.clear();
  }

  private long ticksPerSecond() {
    if (clockTicksPerSecond == 0) {
      clockTicksPerSecond = ProcessGroups.clockTicksPerSecond();
    }
    return clockTicksPerSecond;
  }

  /** On the starter thread. */
  private RunningInstance start(LaunchRequest request, Output output) throws LaunchException {
    StrayInstances.Supervised adopt = claimed.remove(request.instance());
    if (adopt != null && adopt.port() == request.port()) {
      InstanceCgroup cgroup =
          cgroups == null ? null : InstanceCgroup.holding(cgroups, adopt.pid()).orElse(null);
      Optional<ShimInstance> adopted =
          ShimInstance.adopt(
              adopt, options.runDir().get(), options.sandbox().isPresent(), cgroup, output);
      if (adopted.isPresent()) {
        log.info("{}: adopted pid {} on port {}", request.instance(), adopt.pid(), adopt.port());
        return adopted.get();
      }
    }
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
    if (shimScript != null) {
      return startShimmed(request, command, cgroup, output);
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

  /** Starts {@code command} under its shim, its output going to files in its record folder. */
  private ShimInstance startShimmed(
      LaunchRequest request, List<String> command, InstanceCgroup cgroup, Output output)
      throws LaunchException {
    Path runDir = options.runDir().get();
    Path folder;
    try {
      folder = ShimInstance.newFolder(runDir, request.instance(), request.attempt());
    } catch (IOException e) {
      if (cgroup != null) {
        cgroup.remove(Duration.ZERO);
      }
      throw new LaunchException(
          "cannot make its record folder in " + runDir + ": " + e.getMessage());
    }
    ProcessBuilder builder =
        new ProcessBuilder(ShimInstance.command(python(request), shimScript, folder, command))
            .directory(request.workDir().toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .redirectOutput(ProcessBuilder.Redirect.appendTo(folder.resolve("stdout").toFile()))
            .redirectError(ProcessBuilder.Redirect.appendTo(folder.resolve("stderr").toFile()));
    builder.environment().putAll(request.env());
    Process shim;
    try {
      shim = builder.start();
    } catch (IOException e) {
      if (cgroup != null) {
        cgroup.remove(Duration.ZERO);
      }
      ShimInstance.deleteFolder(folder);
      throw new LaunchException(e.getMessage());
    }
    return ShimInstance.started(
        request.instance(),
        request.port(),
        shim,
        runDir,
        folder,
        cgroup,
        options.sandbox().isPresent(),
        output);
  }

  /** The interpreter the shim runs on: the revision's own, else the first python3 on PATH. */
  private static String python(LaunchRequest request) {
    String venv = request.env().get("VIRTUAL_ENV");
    if (venv != null && Files.isExecutable(Path.of(venv, "bin", "python3"))) {
      return Path.of(venv, "bin", "python3").toString();
    }
    return ProcessWrapper.onPath("python3").map(Path::toString).orElse("/usr/bin/python3");
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
      return ProcessGroups.residentBytes(process.pid());
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
