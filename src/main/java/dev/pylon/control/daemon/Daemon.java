package dev.pylon.control.daemon;

import dev.pylon.control.console.Console;
import dev.pylon.router.AccessLog;
import dev.pylon.router.Router;
import dev.pylon.router.RouterBindException;
import dev.pylon.router.RouterConfig;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code pylon server}: the store, the router, the reconciler and the admin API in one process. On
 * start it serves what the store says, from revisions built before: nothing is rebuilt.
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

  public Daemon(DaemonSettings settings) {
    this.settings = settings;
  }

  /** Starts everything; returns once the router and the admin API listen. */
  public synchronized ServerInfo start() throws DaemonFailure {
    Path stateDir = settings.stateDir();
    try {
      Files.createDirectories(stateDir);
      lock = StateLock.acquire(stateDir);
      List<String> ended = StrayInstances.endAll(stateDir.resolve("run"));
      if (!ended.isEmpty()) {
        log.info("ended what a previous daemon left running: {}", ended);
      }
      AdminToken token = AdminToken.loadOrCreate(stateDir);
      store = Store.open(stateDir.resolve(DATABASE));
      router =
          new Router(
              RouterConfig.defaults(settings.host(), settings.port()),
              console.accessLog(AccessLog.slf4j()));
      InetSocketAddress routerAddress;
      try {
        routerAddress = router.start();
      } catch (RouterBindException e) {
        throw new DaemonFailure(e.getMessage());
      }
      SupervisorOptions options =
          SupervisorOptions.defaults()
              .withGrace(settings.grace())
              .withStartTimeout(settings.startTimeout())
              .withRunDir(stateDir.resolve("run"));
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
      store.addEvent(clock.instant(), "", "", "", "daemon started", "pid " + info.pid());
      reconciler.start();
      return info;
    } catch (IOException | StoreException e) {
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
