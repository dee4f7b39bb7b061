package dev.pylon.runtime;

import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/**
 * One started instance, as its {@link InstanceLauncher} runs it. Every method is safe from any
 * thread and cheap enough for a 250 ms watch, except where it says it blocks.
 */
public interface RunningInstance {
  /** The pid users see in {@code pylon instances} (a process group leader), or -1 if none. */
  long pid();

  /** Whether its main process still runs. */
  boolean alive();

  /** Whether nothing of it is left (its main process and everything it started). */
  boolean gone();

  /** Asks it to stop (SIGTERM to everything it started); it should drain and exit. */
  void terminate();

  /** Ends it at once (SIGKILL to everything it started). */
  void kill();

  /**
   * Completes once its main process has ended and its output has been read (or briefly waited for),
   * with how it ended. Whatever the main process left behind has been killed by then.
   */
  CompletableFuture<InstanceExit> exit();

  /**
   * Completes when the launcher saw the instance start listening on its port (a zygote's fork
   * reports it), so the start-up probe runs at once; never, for a launcher that cannot tell.
   */
  default CompletableFuture<Void> listening() {
    return new CompletableFuture<>();
  }

  /** CPU seconds it has used (all its processes, ever), if known. */
  OptionalDouble cpuSeconds();

  /** Resident memory of all its processes now, if known. */
  OptionalLong residentBytes();

  /** Whether the kernel enforces its memory limit (then {@link #memoryLimitHit} tells). */
  boolean kernelLimitsMemory();

  /** Whether the kernel killed something of it for exceeding its memory limit. */
  boolean memoryLimitHit();

  /** Whether an earlier Pylon started it and this one took it over. */
  default boolean adopted() {
    return false;
  }

  /**
   * Lets go of it: it keeps running for the next Pylon to adopt, and this one no longer follows its
   * output or its exit. False when it cannot outlive Pylon (then stop it as usual).
   */
  default boolean detach() {
    return false;
  }

  /** Frees what is left once it is gone (its cgroup, its pid file); may block briefly. */
  void release();
}
