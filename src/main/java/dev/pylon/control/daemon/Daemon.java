package dev.pylon.control.daemon;

import dev.pylon.control.console.Console;
import dev.pylon.router.AccessLog;
import dev.pylon.router.Backend;
import dev.pylon.router.Route;
import dev.pylon.router.Router;
import dev.pylon.router.RouterBindException;
import dev.pylon.router.RouterConfig;
import dev.pylon.router.RoutingSnapshot;
import dev.pylon.runtime.ContainerLauncher;
import dev.pylon.runtime.ContainerRun;
import dev.pylon.runtime.CriuCheck;
import dev.pylon.runtime.InstanceLauncher;
import dev.pylon.runtime.ProcessLauncher;
import dev.pylon.runtime.StrayInstances;
import dev.pylon.runtime.SupervisorOptions;
import dev.pylon.runtime.ZygoteLauncher;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code pylon server}: the store, the router, the reconciler and the admin API in one process. On
 * start it serves what the store says, from revisions built before: nothing is rebuilt. Instances
 * run under shims that outlive the daemon, so a new daemon adopts the ones running (handed over by
 * {@code --takeover}, or left by a daemon that was killed) instead of starting them again; the rest
 * are ended. The router listens first, and requests wait in its queue until the first routes are
 * published and an instance is ready.
 */
public final class Daemon implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Daemon.class);
  public static final String DATABASE = "pylon.db";

  private final DaemonSettings settings;
  private final Clock clock = Clock.systemUTC();
  private final CriuCheck criu = new CriuCheck(); // asked once, by the first zygote
  private final AtomicBoolean stopped = new AtomicBoolean();
  private Store store;
  private Router router;
  private Reconciler reconciler;
  private AdminApi api;
  private ServerInfo info;
  private StateLock lock;
  private RevisionLogs logs;
  private final Console console = new Console(clock);
  private Handover handover; // listening for a successor
  private final java.util.concurrent.CompletableFuture<Void> handedOver =
      new java.util.concurrent.CompletableFuture<>();
  private volatile boolean released; // the instances, store and lock went to a successor

  /** What a request waits for before the first routes are published. */
  static final String STARTING_BACKEND = "(pylon server starting)";

  /** How long a hand-over may take before the successor gives up and the old daemon serves on. */
  private static final Duration HANDOVER_TIMEOUT = Duration.ofSeconds(60);

  /** A keep-alive connection the old daemon closes after a hand-over has been idle this long. */
  private static final Duration IDLE_LINGER = Duration.ofMillis(500);

  public Daemon(DaemonSettings settings) {
    this.settings = settings;
  }

  /** Starts everything; returns once the router and the admin API listen. */
  public synchronized ServerInfo start() throws DaemonFailure {
    Path stateDir = settings.stateDir();
    try {
      Files.createDirectories(stateDir);
      Optional<Handover.Taken> predecessor =
          settings.takeover() ? Handover.takeOver(stateDir, HANDOVER_TIMEOUT) : Optional.empty();
      lock = StateLock.acquire(stateDir);
      AdminToken token = AdminToken.loadOrCreate(stateDir);
      store = Store.open(stateDir.resolve(DATABASE));
      router =
          new Router(
              RouterConfig.defaults(settings.host(), settings.port()),
              console.accessLog(AccessLog.slf4j()));
      InetSocketAddress routerAddress;
      try {
        routerAddress = router.start(predecessor.map(Handover.Taken::sockets).orElse(List.of()));
      } catch (RouterBindException e) {
        throw new DaemonFailure(e.getMessage());
      }
      // Until the first routes are published, every request waits (up to the queue timeout), as
      // at a revision scaled to zero, instead of getting 404 or 503 while the daemon starts.
      router.publish(
          new RoutingSnapshot(
              List.of(
                  new Route(
                      Route.ANY_HOST,
                      "/",
                      List.of(new Backend(STARTING_BACKEND, 100, List.of(), true))))));
      SupervisorOptions options =
          SupervisorOptions.defaults()
              .withGrace(settings.grace())
              .withStartTimeout(settings.startTimeout())
              .withRunDir(stateDir.resolve("run"))
              .withShim(true);
      logs = new RevisionLogs(stateDir);
      reconciler =
          new Reconciler(
              store,
              router,
              settings.defaultService(),
              revision ->
                  revision
                      .launch()
                      .supervise(
                          options.withStartTimeout(
                              revision
                                  .launch()
                                  .checks()
                                  .startTimeoutWithin(settings.startTimeout()))),
              revision -> launchers(revision, settings.grace(), criu, settings.zygoteIdle()),
              logs,
              settings.stableWindow(),
              settings.scaleToZeroGrace());
      router.onActivation(reconciler::activate);
      Deployer deployer =
          new Deployer(
              store, reconciler, stateDir, settings.startTimeout(), routerAddress.getPort(), clock);
      Router served = router;
      Supplier<String> metrics = () -> served.metrics().prometheusText(served.inFlight());
      AdminOperations operations = new AdminOperations(store, deployer, reconciler, logs, clock);
      api = new AdminApi(operations, token, metrics);
      InetSocketAddress adminAddress;
      try {
        adminAddress = api.start(settings.adminPort());
      } catch (BindException e) {
        throw new DaemonFailure(
            "The admin API cannot listen on 127.0.0.1:"
                + settings.adminPort()
                + " ("
                + e.getMessage()
                + "). Another `pylon server` may be running; stop it, or pick another port with"
                + " --admin-port.");
      }
      api.mount(
          "/console",
          console.start(
              new ConsoleBridge(store, operations, reconciler, logs, token, metrics),
              adminAddress));
      info =
          new ServerInfo(
              ProcessHandle.current().pid(),
              adminAddress.getHostString(),
              adminAddress.getPort(),
              routerAddress.getPort());
      info.write(stateDir);
      store.addEvent(
          clock.instant(),
          "",
          "",
          "",
          "daemon started",
          "pid " + info.pid() + (predecessor.isPresent() ? ", took over" : ""));
      handover = Handover.listen(stateDir, new Offer()).orElse(null);
      reconciler.start();
      firstPass(stateDir);
      predecessor.ifPresent(
          taken -> {
            taken.serving();
            if (!taken.awaitGone(settings.grace().plusSeconds(10))) {
              log.warn("the daemon this one took over from has not exited yet");
            }
          });
      return info;
    } catch (IOException | StoreException e) {
      log.debug("pylon server cannot start", e);
      close();
      throw new DaemonFailure(
          "pylon server cannot start in "
              + stateDir
              + ": "
              + e.getMessage()
              + ". Check that the state directory is writable.");
    } catch (DaemonFailure e) {
      close();
      throw e;
    }
  }

  /**
   * The first reconcile: every serving revision gets its instance set, which adopts the instances
   * still running for it; what nobody adopted is then ended. Waits (briefly) until each running
   * revision has a ready instance, so a predecessor stops accepting only once this one can serve.
   */
  private void firstPass(Path stateDir) {
    try {
      reconciler.reconcileAndWait(Duration.ofSeconds(30));
      List<String> ended = StrayInstances.endAbandoned(stateDir.resolve("run"));
      if (!ended.isEmpty()) {
        log.info("ended what a previous daemon left running and no revision adopted: {}", ended);
      }
      for (String revision : reconciler.runningRevisions()) {
        reconciler.awaitReady(revision, Duration.ofSeconds(10));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Completes once this daemon has handed everything to a successor and drained. */
  public java.util.concurrent.CompletableFuture<Void> handedOver() {
    return handedOver;
  }

  /** This daemon's side of a hand-over ({@link Handover}). */
  private final class Offer implements Handover.Offer {
    @Override
    public List<Integer> release(long successorPid) throws Exception {
      synchronized (Daemon.this) {
        if (stopped.get()) {
          throw new IllegalStateException("this daemon is stopping");
        }
        log.info("handing over to pid {}", successorPid);
        released = true;
        reconciler.handOver();
        console.close();
        api.close();
        store.addEvent(clock.instant(), "", "", "", "daemon handed over", "to pid " + successorPid);
        store.close();
        lock.close();
        return router.listeningSockets();
      }
    }

    @Override
    public void successorServes() {
      router.drain(settings.grace(), IDLE_LINGER);
      reconciler.endWhatWasNotHandedOver();
      close();
      handedOver.complete(null);
    }
  }

  /** A new one-time URL that logs a browser in to the console (after {@link #start}). */
  public String consoleLoginUrl() {
    return console.loginUrl();
  }

  /** Drains the router, stops every instance, closes the API and the store. Idempotent. */
  @Override
  public synchronized void close() {
    if (!stopped.compareAndSet(false, true)) {
      return;
    }
    if (handover != null) {
      handover.close();
    }
    if (released) {
      // the successor owns the instances, the store, the lock and server.json now
      router.drain(settings.grace(), IDLE_LINGER);
      reconciler.endWhatWasNotHandedOver();
      router.close();
      logs.close();
      return;
    }
    console.close();
    if (api != null) {
      api.close();
    }
    if (router != null) {
      router.drain(settings.grace());
    }
    if (reconciler != null) {
      reconciler.close();
    }
    if (router != null) {
      router.close();
    }
    if (logs != null) {
      logs.close();
    }
    if (store != null) {
      try {
        store.addEvent(clock.instant(), "", "", "", "daemon stopped", "");
      } catch (StoreException e) {
        log.warn("cannot record the stop: {}", e.getMessage());
      }
      store.close();
    }
    if (info != null) {
      try {
        Files.deleteIfExists(settings.stateDir().resolve(ServerInfo.FILE));
      } catch (IOException e) {
        log.warn("cannot remove {}: {}", ServerInfo.FILE, e.getMessage());
      }
    }
    if (lock != null) {
      lock.close();
    }
  }

  /**
   * Processes (forked from a zygote once one instance was ready, unless {@code zygoteIdle} is
   * zero), or containers of the image the revision's launch plan names ({@code pylon deploy
   * --container}); the container launcher first removes what a killed daemon left of the revision.
   */
  private static InstanceLauncher.Factory launchers(
      RevisionRecord revision, Duration grace, CriuCheck criu, Duration zygoteIdle) {
    LaunchSpec launch = revision.launch();
    if (launch.container().isEmpty()) {
      return zygoteIdle.isZero() ? ProcessLauncher::new : ZygoteLauncher.factory(criu, zygoteIdle);
    }
    ContainerRun run =
        new ContainerRun(
            launch.container().get().engine(),
            launch.container().get().image(),
            revision.id(),
            grace,
            launch.memoryMiB().orElse(0),
            launch.cpuLimit().orElse(0));
    return (name, options, warnings) -> new ContainerLauncher(run);
  }
}
