package dev.pylon.runtime;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An instance forked from a zygote: the leader of its own session and process group (so it is
 * signalled as a group, like a cold start), in its own cgroup when its limits have one. It is not
 * Pylon's child but the zygote's, so its exit status arrives over the zygote's socket ({@link
 * ZygoteFork}) rather than from a {@link Process}.
 */
final class ForkedInstance implements RunningInstance {
  private static final Duration CGROUP_WAIT = Duration.ofSeconds(5);

  private final String instance;
  private final long pid;
  private final InstanceCgroup cgroup; // null: none (the memory watch covers it)
  private final Optional<Path> runDir;
  private final CompletableFuture<InstanceExit> exit = new CompletableFuture<>();
  private final CompletableFuture<Void> listening = new CompletableFuture<>();
  private final AtomicBoolean released = new AtomicBoolean();

  ForkedInstance(String instance, long pid, InstanceCgroup cgroup, Optional<Path> runDir) {
    this.instance = instance;
    this.pid = pid;
    this.cgroup = cgroup;
    this.runDir = runDir;
    runDir.ifPresent(dir -> StrayInstances.record(dir, instance, pid));
  }

  /**
   * Once the zygote said how the leader ended ({@code status}: exit status, 128 + the signal for a
   * kill; null when the zygote went away first, which kills its forks): ends what the leader left,
   * then completes {@link #exit()}.
   */
  void ended(Integer status) {
    if (!ProcessGroups.members(pid).isEmpty()) {
      ProcessGroups.signalGroup(pid, "KILL"); // e.g. gunicorn's worker: it must not outlive it
    }
    boolean memoryKill = cgroup != null && cgroup.memoryLimitMiB() > 0 && cgroup.memoryKills() > 0;
    String how =
        status == null ? "ended with its zygote (killed)" : ExitStatus.describe(status.intValue());
    forgetPidFile();
    exit.complete(new InstanceExit(status == null ? -1 : status, how, memoryKill));
    if (cgroup != null) {
      cgroup.remove(CGROUP_WAIT);
    }
  }

  /** The zygote's fork said it listens on its port. */
  void listens() {
    listening.complete(null);
  }

  @Override
  public CompletableFuture<Void> listening() {
    return listening;
  }

  @Override
  public long pid() {
    return pid;
  }

  @Override
  public boolean alive() {
    return !exit.isDone() && ProcessGroups.alive(pid);
  }

  @Override
  public boolean gone() {
    return !alive() && ProcessGroups.members(pid).isEmpty();
  }

  @Override
  public void terminate() {
    ProcessGroups.signalGroup(pid, "TERM");
  }

  @Override
  public void kill() {
    ProcessGroups.signalGroup(pid, "KILL");
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
    return ProcessGroups.residentBytes(pid);
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
    runDir.ifPresent(dir -> StrayInstances.forget(dir, instance, pid));
  }

  @Override
  public String toString() {
    return instance + " (pid " + pid + ", forked)";
  }
}
