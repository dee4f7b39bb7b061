package dev.pylon.runtime;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An instance under its shim ({@code pylon_shim.py}), which outlives the daemon so the next one can
 * adopt it. Its record folder in the run directory holds {@code pid} (the instance's, written by
 * the shim), {@code exit} (how it ended, written by the shim), {@code stdout} and {@code stderr}
 * (the instance writes them directly; this class follows them as {@code tail -f} does, into the
 * set's output) and, once handed over, how far each was read.
 *
 * <p>The daemon that started it waits for the shim as its child; one that adopted it polls for the
 * shim's end. Either way the exit status comes from the shim's {@code exit} file.
 */
final class ShimInstance implements RunningInstance {
  private static final Logger log = LoggerFactory.getLogger(ShimInstance.class);
  private static final Duration KILL_WAIT = Duration.ofSeconds(5);
  // What a shim's output file may hold on disk of output already read, before it is given back.
  private static final long OUTPUT_FREE_STEP = 8L << 20;
  private static final Duration OUTPUT_DRAIN = Duration.ofSeconds(1);
  private static final Duration SHIM_START = Duration.ofSeconds(20);
  static final String SCRIPT = "pylon_shim.py";

  private final StrayInstances.Supervised record;
  private final Path runDir;
  private final Path folder;
  private final ProcessHandle leader;
  private final CompletableFuture<?> shimExit;
  private final InstanceCgroup cgroup; // null: none (the memory watch covers it)
  private final boolean adopted;
  private final boolean sandboxed;
  private final List<FollowedFile> outputs = new ArrayList<>();
  private final List<Thread> readers = new ArrayList<>();
  private final CompletableFuture<InstanceExit> exit = new CompletableFuture<>();
  private final AtomicBoolean released = new AtomicBoolean();
  private volatile boolean detached;

  private ShimInstance(
      StrayInstances.Supervised record,
      Path runDir,
      ProcessHandle leader,
      CompletableFuture<?> shimExit,
      InstanceCgroup cgroup,
      boolean sandboxed,
      boolean adopted) {
    this.record = record;
    this.adopted = adopted;
    this.runDir = runDir;
    this.folder = runDir.resolve(record.folder());
    this.leader = leader;
    this.shimExit = shimExit;
    this.cgroup = cgroup;
    this.sandboxed = sandboxed;
  }

  /** The folder a new instance's shim records into; its output files exist (empty) on return. */
  static Path newFolder(Path runDir, String instance, int attempt) throws IOException {
    Files.createDirectories(runDir);
    Path folder =
        Files.createTempDirectory(runDir, instance + "." + attempt + ".").toAbsolutePath();
    Files.createFile(folder.resolve("stdout"));
    Files.createFile(folder.resolve("stderr"));
    return folder;
  }

  /**
   * The command that runs {@code command} under the shim at {@code script}, recording in folder.
   */
  static List<String> command(String python, Path script, Path folder, List<String> command) {
    List<String> shimmed =
        new ArrayList<>(List.of(python, "-I", script.toString(), folder.toString()));
    shimmed.add("--");
    shimmed.addAll(command);
    return shimmed;
  }

  /**
   * Follows the shim that {@code shim} (just started, its output redirected to the folder's files)
   * is: waits for it to say its instance's pid, records the instance in the run directory and
   * follows its output. Throws when the shim ended before starting anything.
   */
  static ShimInstance started(
      String instance,
      int port,
      Process shim,
      Path runDir,
      Path folder,
      InstanceCgroup cgroup,
      boolean sandboxed,
      InstanceLauncher.Output output)
      throws InstanceLauncher.LaunchException {
    Path pidFile = folder.resolve("pid");
    long deadline = System.nanoTime() + SHIM_START.toNanos();
    while (!Files.exists(pidFile)) {
      if (!shim.isAlive() || System.nanoTime() > deadline) {
        String said = lastLine(folder.resolve("stderr"));
        String how =
            shim.isAlive()
                ? "within " + SHIM_START.toSeconds() + " s"
                : "(it " + ExitStatus.describe(shim) + ")";
        shim.destroyForcibly();
        deleteFolder(folder);
        throw new InstanceLauncher.LaunchException(
            "its supervisor ("
                + SCRIPT
                + ") did not start it "
                + how
                + (said.isEmpty() ? "" : ": " + said));
      }
      sleep(Duration.ofMillis(2));
    }
    long pid;
    try {
      pid = Long.parseLong(Files.readString(pidFile, StandardCharsets.UTF_8).trim());
    } catch (IOException | NumberFormatException e) {
      shim.destroyForcibly();
      throw new InstanceLauncher.LaunchException("its supervisor wrote no pid: " + e.getMessage());
    }
    long start = ProcessGroups.stat(pid).map(ProcessGroups.Stat::startTime).orElse(-1L);
    long shimStart = ProcessGroups.stat(shim.pid()).map(ProcessGroups.Stat::startTime).orElse(-1L);
    StrayInstances.Supervised record =
        new StrayInstances.Supervised(
            instance, pid, start, folder.getFileName().toString(), port, shim.pid(), shimStart);
    StrayInstances.recordSupervised(runDir, record);
    ProcessHandle leader = ProcessHandle.of(pid).orElse(shim.toHandle());
    ShimInstance started =
        new ShimInstance(record, runDir, leader, shim.onExit(), cgroup, sandboxed, false);
    started.follow(output, 0, 0);
    return started;
  }

  /**
   * Takes over {@code record}'s instance, which a previous daemon started (now this Pylon's in the
   * run directory), following its output from where the previous daemon stopped reading; {@code
   * cgroup} is the one it runs in, null if none.
   */
  static Optional<ShimInstance> adopt(
      StrayInstances.Supervised record,
      Path runDir,
      boolean sandboxed,
      InstanceCgroup cgroup,
      InstanceLauncher.Output output) {
    Optional<ProcessHandle> leader = ProcessHandle.of(record.pid());
    Optional<ProcessHandle> shim = ProcessHandle.of(record.shimPid());
    if (leader.isEmpty() || shim.isEmpty()) {
      return Optional.empty();
    }
    StrayInstances.setOwner(runDir, record, true);
    ShimInstance adopted =
        new ShimInstance(
            record, runDir, leader.get(), shim.get().onExit(), cgroup, sandboxed, true);
    Path folder = runDir.resolve(record.folder());
    adopted.follow(output, readOffset(folder, "stdout"), readOffset(folder, "stderr"));
    return Optional.of(adopted);
  }

  private void follow(InstanceLauncher.Output output, long stdoutFrom, long stderrFrom) {
    for (boolean stderr : new boolean[] {false, true}) {
      FollowedFile file;
      try {
        file =
            new FollowedFile(
                folder.resolve(stderr ? "stderr" : "stdout"),
                stderr ? stderrFrom : stdoutFrom,
                OUTPUT_FREE_STEP);
      } catch (IOException e) {
        log.warn("{}: cannot read its output: {}", record.instance(), e.getMessage());
        continue;
      }
      outputs.add(file);
      readers.add(
          Thread.ofPlatform()
              .daemon()
              .name(record.instance() + (stderr ? "-stderr" : "-stdout"))
              .start(() -> readLines(file, stderr, output)));
    }
    shimExit.whenComplete((ignored, error) -> ended());
  }

  private void readLines(FollowedFile file, boolean stderr, InstanceLauncher.Output output) {
    try (FollowedFile in = file) {
      OutputLines.forEach(
          in,
          OutputLines.MAX_LINE_BYTES,
          line -> {
            try {
              output.line(stderr, line);
            } catch (RuntimeException e) {
              log.warn("instance output handler failed", e);
            }
          });
    } catch (IOException e) {
      log.debug("{}: output ended: {}", record.instance(), e.getMessage());
    }
  }

  /** The shim ended: what its instance left is killed, its output read to the end. */
  private void ended() {
    if (detached) {
      return; // the successor's to see
    }
    int status = readExit();
    if (!ProcessGroups.members(record.pid()).isEmpty()) {
      ProcessGroups.signalGroup(record.pid(), "KILL");
    }
    boolean memoryKill = cgroup != null && cgroup.memoryLimitMiB() > 0 && cgroup.memoryKills() > 0;
    outputs.forEach(FollowedFile::finish);
    long deadline = System.nanoTime() + OUTPUT_DRAIN.toNanos();
    for (Thread reader : readers) {
      long left = deadline - System.nanoTime();
      if (left > 0) {
        try {
          reader.join(Duration.ofNanos(left));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    outputs.forEach(FollowedFile::detach);
    StrayInstances.forget(runDir, record.instance(), record.pid());
    deleteFolder(folder);
    exit.complete(new InstanceExit(status, ExitStatus.describe(status), memoryKill));
    if (cgroup != null) {
      cgroup.remove(KILL_WAIT);
    }
  }

  /** The exit status the shim wrote, in the JDK's convention (128+n for signal n); -1 unknown. */
  private int readExit() {
    try {
      int code = Integer.parseInt(Files.readString(folder.resolve("exit")).trim());
      return code < 0 ? 128 - code : code;
    } catch (IOException | NumberFormatException e) {
      return -1; // the shim itself was killed
    }
  }

  /**
   * Lets go of the instance, which keeps running for a successor: stops following its output
   * (remembering how far it was read) and records it as owned by nobody.
   */
  @Override
  public boolean adopted() {
    return adopted;
  }

  @Override
  public boolean detach() {
    detached = true;
    outputs.forEach(FollowedFile::detach);
    for (Thread reader : readers) {
      try {
        reader.join(Duration.ofSeconds(1));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (int i = 0; i < outputs.size(); i++) {
      String name = i == 0 ? "stdout" : "stderr";
      try {
        Files.writeString(folder.resolve(name + ".offset"), outputs.get(i).offset() + "\n");
      } catch (IOException e) {
        log.debug("{}: cannot record its output offset: {}", record.instance(), e.getMessage());
      }
    }
    StrayInstances.setOwner(runDir, record, false);
    return true;
  }

  int port() {
    return record.port();
  }

  @Override
  public long pid() {
    return record.pid();
  }

  @Override
  public boolean alive() {
    return leader.isAlive();
  }

  @Override
  public boolean gone() {
    return !leader.isAlive() && ProcessGroups.members(record.pid()).isEmpty();
  }

  @Override
  public void terminate() {
    if (sandboxed) {
      ProcessGroups.signalAllBut(record.pid(), "TERM", Sandbox.BWRAP_COMM);
    } else {
      ProcessGroups.signal(leader, "TERM");
    }
  }

  @Override
  public void kill() {
    ProcessGroups.signal(leader, "KILL");
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
    return ProcessGroups.residentBytes(record.pid());
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
      StrayInstances.forget(runDir, record.instance(), record.pid());
      if (cgroup != null) {
        cgroup.remove(Duration.ofSeconds(1));
      }
    }
  }

  @Override
  public String toString() {
    return record.instance() + " (pid " + record.pid() + ")";
  }

  private static long readOffset(Path folder, String stream) {
    try {
      return Long.parseLong(Files.readString(folder.resolve(stream + ".offset")).trim());
    } catch (IOException | NumberFormatException e) {
      // a killed daemon recorded nothing: go on from the end rather than repeat everything
      try {
        return Files.size(folder.resolve(stream));
      } catch (IOException gone) {
        return 0;
      }
    }
  }

  private static String lastLine(Path file) {
    try {
      List<String> lines = Files.readAllLines(file);
      return lines.isEmpty() ? "" : lines.getLast();
    } catch (IOException e) {
      return "";
    }
  }

  static void deleteFolder(Path folder) {
    if (!Files.isDirectory(folder)) {
      return;
    }
    try (Stream<Path> files = Files.walk(folder)) {
      files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    } catch (IOException e) {
      log.debug("cannot delete {}: {}", folder, e.getMessage());
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
