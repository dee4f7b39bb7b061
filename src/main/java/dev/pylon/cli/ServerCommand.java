package dev.pylon.cli;

import dev.pylon.control.daemon.Daemon;
import dev.pylon.control.daemon.DaemonFailure;
import dev.pylon.control.daemon.DaemonSettings;
import dev.pylon.control.daemon.ServerInfo;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pylon server}: the daemon, until Ctrl-C or SIGTERM. */
@Command(
    name = "server",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the Pylon daemon: the router, the control plane and its admin API.",
      "A service is reached at http://SERVICE.localhost:PORT/, a tagged revision at",
      "http://TAG---SERVICE.localhost:PORT/.",
      "Services, revisions and traffic are kept in STATE/pylon.db: a restarted daemon",
      "serves them again without building anything, and adopts the instances still running.",
      "With --takeover, a new daemon (a restart, an upgrade) takes the running one's sockets,",
      "instances and state over; the old one finishes its requests and exits: nothing is dropped."
    })
final class ServerCommand implements Callable<Integer> {
  @Option(
      names = "--port",
      defaultValue = "8080",
      description = "Port the router listens on (default: ${DEFAULT-VALUE})")
  int port;

  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      description = "Address the router listens on (default: ${DEFAULT-VALUE})")
  String host;

  @Option(
      names = "--admin-port",
      defaultValue = "8081",
      description =
          "Port of the admin API on 127.0.0.1, which the pylon commands use (default:"
              + " ${DEFAULT-VALUE}; 0 picks a free one)")
  int adminPort;

  @Option(
      names = "--default-service",
      paramLabel = "NAME",
      description = "The service that requests for any other host (such as 127.0.0.1) go to")
  String defaultService;

  @Option(
      names = "--grace",
      defaultValue = "10s",
      converter = DurationConverter.class,
      description =
          "How long stopping waits for requests and processes (default: ${DEFAULT-VALUE})")
  Duration grace;

  @Option(
      names = "--start-timeout",
      defaultValue = "120s",
      converter = DurationConverter.class,
      description = "How long a new revision may take to get ready (default: ${DEFAULT-VALUE})")
  Duration startTimeout;

  @Option(
      names = "--stable-window",
      defaultValue = "60s",
      converter = DurationConverter.class,
      description =
          "The autoscaler's averaging window (Knative's stable window; default: ${DEFAULT-VALUE})")
  Duration stableWindow;

  @Option(
      names = "--scale-to-zero-grace",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description =
          "How long a revision with min 0 keeps its last instance after traffic stops, beyond the window (default: ${DEFAULT-VALUE})")
  Duration scaleToZeroGrace;

  @Option(
      names = "--takeover",
      description =
          "Take over from the `pylon server` running on this state directory, if one is: its"
              + " listening sockets (its --host and --port then hold), instances and state move"
              + " here, and it exits once its requests are done")
  boolean takeover;

  @Option(
      names = "--zygote-idle",
      defaultValue = "15m",
      converter = DurationConverter.class,
      description =
          "How long a revision keeps its zygote (the warm process new instances fork from) once it has no instance; 0 turns warm starts off (default: ${DEFAULT-VALUE})")
  Duration zygoteIdle;

  @Mixin StateOptions stateOptions;

  @Override
  public Integer call() {
    if (stableWindow.compareTo(Duration.ofSeconds(6)) < 0) {
      throw new UserError(
          "--stable-window " + stableWindow.toSeconds() + "s is shorter than 6s, Knative's least.",
          2);
    }
    if (port < 0 || port > 65535 || adminPort < 0 || adminPort > 65535) {
      throw new UserError("--port and --admin-port take a TCP port from 1 to 65535.", 2);
    }
    Daemon daemon =
        new Daemon(
            new DaemonSettings(
                    stateOptions.stateDir(),
                    host,
                    port,
                    adminPort,
                    Optional.ofNullable(defaultService),
                    grace,
                    startTimeout)
                .withScalingWindows(stableWindow, scaleToZeroGrace)
                .withTakeover(takeover)
                .withZygoteIdle(zygoteIdle));
    CountDownLatch stop = new CountDownLatch(1);
    Thread onSignal =
        new Thread(
            () -> {
              daemon.close();
              stop.countDown();
            },
            "pylon-stop");
    Runtime.getRuntime().addShutdownHook(onSignal);
    daemon
        .handedOver()
        .thenRun(
            () -> {
              System.out.println("pylon: handed over to the new `pylon server`; exiting.");
              System.out.flush();
              stop.countDown();
            });
    ServerInfo info;
    try {
      info = daemon.start();
    } catch (DaemonFailure e) {
      throw new UserError(e.getMessage(), 1);
    }
    System.out.println(
        "pylon: serving at http://SERVICE.localhost:"
            + info.routerPort()
            + "/ (admin API on 127.0.0.1:"
            + info.adminPort()
            + ", state in "
            + stateOptions.stateDir()
            + "). Press Ctrl-C to stop.");
    System.out.println(
        "pylon: console at "
            + daemon.consoleLoginUrl()
            + " (the login works once; `pylon console` prints a new one)");
    System.out.flush();
    try {
      stop.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }
}
