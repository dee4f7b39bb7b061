package dev.pylon.runtime;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * Starts one instance of a revision and hands back a {@link RunningInstance} to watch and stop it.
 * {@link InstanceSet} decides when; a launcher only knows how. Today's implementation is {@link
 * ProcessLauncher} (a process group on this machine, optionally in a sandbox and a cgroup); a
 * container launcher (podman) or a snapshot launcher implement the same contract: the instance
 * listens on {@code request.port()} on 127.0.0.1, writes lines to {@code output}, and its exit
 * completes {@link RunningInstance#exit()}.
 *
 * <p>{@link #launch} may block (it is called off the supervisor thread) and may be called from
 * several threads. {@link #close} is called once every instance it started is gone.
 */
public interface InstanceLauncher extends AutoCloseable {
  /**
   * Starts the instance described by {@code request}.
   *
   * @param output receives each line the instance writes, from the launcher's own threads
   * @throws LaunchException when it could not be started; the message is shown to the user after
   *     "could not be started: "
   */
  RunningInstance launch(LaunchRequest request, Output output) throws LaunchException;

  /**
   * Tells the launcher that {@code instance} (one it started) passed its start-up probe: the app
   * has been imported and serves. A launcher that keeps a warm template of the app makes it now.
   */
  default void ready(RunningInstance instance) {}

  /**
   * Resident memory of each of {@code instances} (started by this launcher) whose kernel does not
   * enforce its memory limit, read in one pass where the launcher can; missing: unknown.
   */
  default Map<RunningInstance, Long> residentBytes(Collection<RunningInstance> instances) {
    Map<RunningInstance, Long> bytes = new HashMap<>();
    for (RunningInstance instance : instances) {
      instance.residentBytes().ifPresent(b -> bytes.put(instance, b));
    }
    return bytes;
  }

  /**
   * CPU seconds each of {@code instances} has used, read in one pass where it can; missing:
   * unknown.
   */
  default Map<RunningInstance, Double> cpuSeconds(Collection<RunningInstance> instances) {
    Map<RunningInstance, Double> seconds = new HashMap<>();
    for (RunningInstance instance : instances) {
      instance.cpuSeconds().ifPresent(s -> seconds.put(instance, s));
    }
    return seconds;
  }

  /**
   * Of {@code instances} (names of the set's instances), those already running that this launcher
   * takes over, with the port each listens on: instances a previous Pylon started under a shim and
   * handed over or left behind when it was killed. A {@link #launch} of such an instance on that
   * port adopts it instead of starting a process. Called once, when the set starts.
   */
  default Map<String, Integer> adoptable(Collection<String> instances) {
    return Map.of();
  }

  /** Releases what the launcher holds (threads, cgroups); every instance it started is gone. */
  @Override
  void close();

  /**
   * Makes the launcher of one revision's {@link InstanceSet}, when it starts; {@code warnings} says
   * what the user should know (once each), as WARNING events.
   */
  @FunctionalInterface
  interface Factory {
    InstanceLauncher create(
        String revision, SupervisorOptions options, java.util.function.Consumer<String> warnings);
  }

  /** Where an instance's output goes: one call per line, stdout or stderr. */
  @FunctionalInterface
  interface Output {
    void line(boolean stderr, String line);
  }

  /** Why an instance could not be started, in words for the user. */
  final class LaunchException extends Exception {
    private static final long serialVersionUID = 1L;

    public LaunchException(String message) {
      super(message);
    }
  }
}
