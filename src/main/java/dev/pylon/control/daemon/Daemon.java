package dev.pylon.control.daemon;

import dev.pylon.router.Router;
import dev.pylon.router.RouterBindException;
import dev.pylon.router.RouterConfig;
import dev.pylon.runtime.StrayInstances;
import dev.pylon.runtime.SupervisorOptions;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
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
  private final AtomicBoolean stopped = new AtomicBoolean();
  private Store store;
  private Router router;
  private Reconciler reconciler;
  private AdminApi api;
  private ServerInfo info;
  private StateLock lock;
  private RevisionLogs logs;

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
      router = new Router(RouterConfig.defaults(settings.host(), settings.port()));
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
              revision -> revision.launch().limit(options),
              logs,
              settings.stableWindow(),
              settings.scaleToZeroGrace());
      router.onActivation(reconciler::activate);
      Deployer deployer =
          new Deployer(
              store, reconciler, stateDir, settings.startTimeout(), routerAddress.getPort(), clock);
      Router served = router;
      api =
          new AdminApi(
              new AdminOperations(store, deployer, reconciler, logs, clock),
              token,
              () -> served.metrics().prometheusText(served.inFlight()));
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

  /** Drains the router, stops every instance, closes the API and the store. Idempotent. */
  @Override
  public synchronized void close() {
    if (!stopped.compareAndSet(false, true)) {
      return;
    }
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
}
