package dev.pylon.control.daemon;

import dev.pylon.autoscale.ScalingPolicy;
import dev.pylon.runtime.ZygoteLauncher;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * How {@code pylon server} runs.
 *
 * @param stateDir where the database, token, revisions and virtualenvs live
 * @param host the router's address
 * @param port the router's port (0: a free one)
 * @param adminPort the admin API's port on 127.0.0.1 (0: a free one)
 * @param defaultService the service bare requests (any other Host) go to
 * @param grace how long stopping waits for requests and processes
 * @param startTimeout how long a new revision's instance may take to get ready
 * @param stableWindow the autoscaler's stable window (Knative's 60 s; shorter in tests)
 * @param scaleToZeroGrace how long an idle revision keeps its last instance after the stable window
 *     saw no traffic (Knative's 30 s; shorter in tests)
 * @param takeover take over from the daemon running on {@code stateDir}, if one is ({@code pylon
 *     server --takeover}): its sockets, instances and state move here ({@link Handover})
 * @param zygoteIdle how long a revision keeps its zygote (the warm template new instances fork
 *     from) once it has no instance; zero: no zygote, every start is cold
 */
public record DaemonSettings(
    Path stateDir,
    String host,
    int port,
    int adminPort,
    Optional<String> defaultService,
    Duration grace,
    Duration startTimeout,
    Duration stableWindow,
    Duration scaleToZeroGrace,
    boolean takeover,
    Duration zygoteIdle) {
  public static final int DEFAULT_PORT = 8080;
  public static final int DEFAULT_ADMIN_PORT = 8081;

  /** Settings with Knative's autoscaling windows. */
  public DaemonSettings(
      Path stateDir,
      String host,
      int port,
      int adminPort,
      Optional<String> defaultService,
      Duration grace,
      Duration startTimeout) {
    this(
        stateDir,
        host,
        port,
        adminPort,
        defaultService,
        grace,
        startTimeout,
        ScalingPolicy.DEFAULT_STABLE_WINDOW,
        ScalingPolicy.DEFAULT_SCALE_TO_ZERO_GRACE_PERIOD,
        false,
        ZygoteLauncher.DEFAULT_IDLE_WINDOW);
  }

  /** The same settings with other autoscaling windows (tests idle to zero in seconds). */
  public DaemonSettings withScalingWindows(Duration stableWindow, Duration scaleToZeroGrace) {
    return new DaemonSettings(
        stateDir,
        host,
        port,
        adminPort,
        defaultService,
        grace,
        startTimeout,
        stableWindow,
        scaleToZeroGrace,
        takeover,
        zygoteIdle);
  }

  /** The same settings, taking over from a running daemon ({@code --takeover}) or not. */
  public DaemonSettings withTakeover(boolean value) {
    return new DaemonSettings(
        stateDir,
        host,
        port,
        adminPort,
        defaultService,
        grace,
        startTimeout,
        stableWindow,
        scaleToZeroGrace,
        value,
        zygoteIdle);
  }

  /** The same settings with another zygote idle window (zero: every start is cold). */
  public DaemonSettings withZygoteIdle(Duration value) {
    return new DaemonSettings(
        stateDir,
        host,
        port,
        adminPort,
        defaultService,
        grace,
        startTimeout,
        stableWindow,
        scaleToZeroGrace,
        takeover,
        value);
  }
}
