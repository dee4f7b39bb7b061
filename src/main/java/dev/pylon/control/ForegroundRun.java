package dev.pylon.control;

import dev.pylon.export.Exporter;
import dev.pylon.revision.ImageBuilder;
import dev.pylon.revision.ImageRequest;
import dev.pylon.revision.ImageResult;
import dev.pylon.revision.Revision;
import dev.pylon.revision.RevisionBuilder;
import dev.pylon.revision.RevisionResult;
import dev.pylon.router.Router;
import dev.pylon.router.RouterBindException;
import dev.pylon.router.RoutingSnapshot;
import dev.pylon.router.Upstream;
import dev.pylon.router.UpstreamProtocol;
import dev.pylon.runtime.ContainerLauncher;
import dev.pylon.runtime.ContainerRun;
import dev.pylon.runtime.InstanceEvent;
import dev.pylon.runtime.InstanceListener;
import dev.pylon.runtime.InstanceSet;
import dev.pylon.runtime.MetadataServer;
import dev.pylon.runtime.ReadyInstance;
import dev.pylon.runtime.RevisionLog;
import dev.pylon.runtime.StartOutcome;
import dev.pylon.runtime.StrayInstances;
import dev.pylon.runtime.SupervisorOptions;
import dev.pylon.spec.ServiceSpec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.InstantSource;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code pylon run}: one app, built and served in the foreground, until {@link #stop()} (which the
 * cli calls on Ctrl-C or SIGTERM). Wires spec, build, runtime and router in one process.
 */
public final class ForegroundRun implements AutoCloseable {
  /** The size a revision's log file reaches before it starts over (one older file is kept). */
  private static final long LOG_BYTES = 10L * 1024 * 1024;

  private static final DateTimeFormatter EVENT_TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

  private final RunSettings settings;
  private final RunReporter reporter;
  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final AtomicBoolean stopping = new AtomicBoolean();
  private volatile Router router;
  private volatile InstanceSet instances;
  private volatile MetadataServer metadataServer;
  private volatile RevisionLog revisionLog;
  private volatile ContainerRun containers;

  public ForegroundRun(RunSettings settings, RunReporter reporter) {
    this.settings = settings;
    this.reporter = reporter;
  }

  /** Serves until {@link #stop()}; returns the exit status, or throws what stopped the start. */
  public int serveUntilStopped() throws RunFailure {
    ServiceSpec spec = settings.spec();
    endStrays();
    InetSocketAddress address = startRouter(spec);
    Revision revision = build(spec);
    MetadataServer metadata = startMetadataServer();
    OptionalLong memoryMiB =
        settings.memoryMiB().isPresent() ? settings.memoryMiB() : spec.resources().memoryMb();
    InstancePlan plan =
        InstancePlan.of(spec, revision, settings.stateDir(), metadata.hostPort(), memoryMiB);
    reporter.step(plan.description());

    int count = settings.instances().orElse(spec.instances().orElse(defaultInstances()));
    SupervisorOptions options =
        InstanceOptions.of(
            spec,
            revision,
            settings.stateDir(),
            settings.startTimeout(),
            settings.grace(),
            memoryMiB,
            settings.cpuLimit(),
            settings.sandbox());
    InstanceSet started;
    if (settings.container().isPresent()) {
      ContainerRun run = containerRun(spec, revision, memoryMiB);
      containers = run;
      reporter.step("Instances are containers of " + run.image() + " (" + run.engine() + ")");
      // The same life cycle, probes, restarts, logs and stop as processes; only the launch
      // differs. The launcher removes what a killed Pylon left of this revision first.
      started =
          new InstanceSet(
              plan.template(),
              count,
              new RouterFeed(spec),
              options,
              (name, instanceOptions, warnings) -> new ContainerLauncher(run),
              InstantSource.system());
    } else {
      started = new InstanceSet(plan.template(), count, new RouterFeed(spec), options);
    }
    synchronized (this) {
      if (stopping.get()) {
        return 0;
      }
      instances = started;
      started.start();
    }
    StartOutcome outcome = started.awaitFirstReady(options.startTimeout());
    if (!outcome.ready()) {
      throw new RunFailure(StartFailureMessage.of(outcome, spec), 1);
    }
    reporter.step(
        "Serving at "
            + (settings.router().tls().isPresent() ? "https://" : "http://")
            + hostForUrl(address)
            + ":"
            + address.getPort()
            + "/ ("
            + count
            + (count == 1 ? " instance" : " instances")
            + " of "
            + spec.name()
            + "). Press Ctrl-C to stop.");
    try {
      stopRequested.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  /**
   * Every instance line and event, also kept in {@code logs/<revision>.log} as JSON lines (a
   * bounded ring), on the way to the router and the console.
   */
  private RevisionLog openLog(Revision revision) throws RunFailure {
    try {
      RevisionLog log =
          new RevisionLog(
              settings.stateDir().resolve("logs"),
              revision.id(),
              LOG_BYTES,
              new RouterFeed(settings.spec()));
      revisionLog = log;
      return log;
    } catch (IOException e) {
      throw new RunFailure(
          "cannot write the revision's log under "
              + settings.stateDir().resolve("logs")
              + ": "
              + e.getMessage(),
          1);
    }
  }

  /** Instances a Pylon killed with SIGKILL left behind in this state directory. */
  private void endStrays() {
    List<String> ended = StrayInstances.endAll(settings.stateDir().resolve("run"));
    if (!ended.isEmpty()) {
      reporter.warning(
          "ended "
              + ended.size()
              + " instance(s) an earlier Pylon left running: "
              + String.join(", ", ended));
    }
  }

  private MetadataServer startMetadataServer() throws RunFailure {
    try {
      MetadataServer started = MetadataServer.start(MetadataServer.Values.local(projectId()));
      metadataServer = started;
      return started;
    } catch (IOException e) {
      throw new RunFailure(
          "cannot start the local metadata server on 127.0.0.1: " + e.getMessage(), 1);
    }
  }

  private static String projectId() {
    String project = System.getenv("GOOGLE_CLOUD_PROJECT");
    return project == null || project.isBlank() ? InstancePlan.LOCAL_PROJECT : project;
  }

  private InetSocketAddress startRouter(ServiceSpec spec) throws RunFailure {
    Router created = new Router(settings.router().config(settings.host(), settings.port(), spec));
    router = created;
    try {
      return created.start();
    } catch (RouterBindException e) {
      throw new RunFailure(e.getMessage(), 1);
    }
  }

  /** The image to run (built now unless the user named one) and how each container runs. */
  private ContainerRun containerRun(ServiceSpec spec, Revision revision, OptionalLong memoryMiB)
      throws RunFailure {
    ContainerMode mode = settings.container().orElseThrow();
    String image;
    if (mode.image().isPresent()) {
      image = mode.image().get();
    } else {
      ImageResult result;
      try {
        result =
            new ImageBuilder(
                    mode.engine(), settings.stateDir(), new ReporterBuildProgress(reporter))
                .build(
                    new ImageRequest(
                        spec.name(),
                        spec.sourceDir(),
                        new Exporter().dockerfile(spec).files(),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty()));
      } catch (IOException e) {
        throw new RunFailure("cannot build the image: " + e.getMessage(), 1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RunFailure("interrupted while building the image", 1);
      }
      image =
          switch (result) {
            case ImageResult.Built built -> built.image();
            case ImageResult.Failed failed ->
                throw new RunFailure(
                    failed.message() + "\n    " + String.join("\n    ", failed.outputTail()), 1);
          };
    }
    return new ContainerRun(
        mode.engine().executable(),
        image,
        revision.id(),
        settings.grace(),
        memoryMiB.orElse(0),
        settings.cpuLimit().orElse(0));
  }

  private Revision build(ServiceSpec spec) throws RunFailure {
    RevisionBuilder builder =
        new RevisionBuilder(settings.stateDir(), new ReporterBuildProgress(reporter));
    RevisionResult result =
        builder.build(
            RevisionRequests.of(spec, settings.systemSitePackages(), settings.preStart()));
    return switch (result) {
      case RevisionResult.Built built -> {
        reporter.step(BuildSummaries.oneLine(built.summary()));
        yield built.revision();
      }
      case RevisionResult.Failed failed -> {
        failed.outputTail().forEach(reporter::detail);
        throw new RunFailure(failed.message(), 1);
      }
    };
  }

  private static int defaultInstances() {
    return Math.max(1, Runtime.getRuntime().availableProcessors());
  }

  private static String hostForUrl(InetSocketAddress address) {
    String host = address.getHostString();
    return host.contains(":") ? "[" + host + "]" : host;
  }

  /** Ends the run: drain the router, stop every instance, release the port. Idempotent. */
  public void stop() {
    if (!stopping.compareAndSet(false, true)) {
      awaitStopped();
      return;
    }
    try {
      Router current = router;
      InstanceSet running;
      synchronized (this) {
        running = instances;
      }
      if (current != null && running != null) {
        reporter.step(
            "Stopping: draining in-flight requests (up to "
                + settings.grace().toSeconds()
                + " s)...");
        current.drain(settings.grace());
      }
      if (running != null) {
        running.stop(settings.grace());
      }
      ContainerRun run = containers;
      if (run != null) {
        // A container whose `run` was killed at the end of the grace period outlives it.
        run.removeContainers();
      }
      if (current != null) {
        current.close();
      }
      closeLog();
      MetadataServer metadata = metadataServer;
      if (metadata != null) {
        metadata.close();
      }
    } finally {
      stopped.countDown();
      stopRequested.countDown();
    }
  }

  private void closeLog() {
    RevisionLog log = revisionLog;
    if (log != null) {
      try {
        log.close();
      } catch (IOException e) {
        reporter.warning("the revision's log could not be closed: " + e.getMessage());
      }
    }
  }

  private void awaitStopped() {
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stop();
  }

  /** Keeps the router's snapshot equal to the instances that are ready, and reports events. */
  private final class RouterFeed implements InstanceListener {
    private final int concurrencyCap;
    private final UpstreamProtocol protocol;

    RouterFeed(ServiceSpec spec) {
      this.concurrencyCap = settings.router().concurrencyPerInstance(spec);
      this.protocol = spec.http2() ? UpstreamProtocol.H2C : UpstreamProtocol.HTTP_1_1;
    }

    @Override
    public void readyChanged(List<ReadyInstance> ready) {
      Router current = router;
      if (current != null) {
        current.publish(
            RoutingSnapshot.single(
                ready.stream()
                    .map(
                        instance ->
                            new Upstream(
                                instance.name(),
                                instance.host(),
                                instance.port(),
                                concurrencyCap,
                                protocol))
                    .toList()));
      }
    }

    @Override
    public void event(InstanceEvent event) {
      reporter.step(
          EVENT_TIME.format(event.at())
              + " "
              + event.instance()
              + " "
              + event.kind().name().toLowerCase(Locale.ROOT).replace('_', ' ')
              + (event.detail().isEmpty() ? "" : ": " + event.detail()));
    }

    @Override
    public void output(String instance, boolean stderr, String line) {
      reporter.instanceLine(instance, stderr, line);
    }
  }
}
