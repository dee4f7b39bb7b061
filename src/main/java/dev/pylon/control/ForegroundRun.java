package dev.pylon.control;

import dev.pylon.autoscale.ScalingPolicy;
import dev.pylon.control.daemon.LaunchSpec;
import dev.pylon.control.daemon.Reconciler;
import dev.pylon.control.daemon.RevisionLauncher;
import dev.pylon.control.daemon.RevisionLogs;
import dev.pylon.control.daemon.RevisionOutput;
import dev.pylon.control.daemon.RevisionRecord;
import dev.pylon.control.daemon.Scaling;
import dev.pylon.control.daemon.ServiceRecord;
import dev.pylon.control.daemon.TrafficTarget;
import dev.pylon.revision.Revision;
import dev.pylon.revision.RevisionBuilder;
import dev.pylon.revision.RevisionResult;
import dev.pylon.router.Backend;
import dev.pylon.router.Route;
import dev.pylon.router.Router;
import dev.pylon.router.RouterBindException;
import dev.pylon.router.RoutingSnapshot;
import dev.pylon.runtime.ContainerLauncher;
import dev.pylon.runtime.ContainerRun;
import dev.pylon.runtime.InstanceLauncher;
import dev.pylon.runtime.MetadataServer;
import dev.pylon.runtime.ProcessLauncher;
import dev.pylon.runtime.StartOutcome;
import dev.pylon.runtime.StrayInstances;
import dev.pylon.runtime.SupervisorOptions;
import dev.pylon.spec.InstanceEnvironment;
import dev.pylon.spec.ServiceSpec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code pylon run}: one app, built and served in the foreground, until {@link #stop()} (which the
 * cli calls on Ctrl-C or SIGTERM). It is a daemon with one service: the same {@link Reconciler}
 * that {@code pylon server} runs starts the instances and feeds the router, over an in-memory store
 * that holds the one service (its count fixed at {@code --instances}) and its revision.
 */
public final class ForegroundRun implements AutoCloseable {
  private final RunSettings settings;
  private final RunReporter reporter;
  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final AtomicBoolean stopping = new AtomicBoolean();
  private volatile Router router;
  private volatile Reconciler reconciler;
  private volatile MetadataServer metadataServer;
  private volatile RevisionLogs logs;
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
    reporter.step(InstancePlan.description(spec, revision));

    int count = settings.instances().orElse(spec.instances().orElse(defaultInstances()));
    SupervisorOptions options =
        InstanceOptions.of(
            spec,
            revision,
            settings.stateDir(),
            settings.startTimeout(),
            settings.grace(),
            settings.sandbox());
    LaunchSpec launch =
        RevisionLauncher.launchSpec(
            spec,
            revision,
            revision.id(),
            settings.stateDir(),
            Optional.of(metadata.hostPort()),
            memoryMiB,
            settings.cpuLimit());
    Instant now = Instant.now();
    RevisionRecord record =
        new RevisionRecord(
            revision.id(),
            spec.name(),
            1,
            revision.python().toString(),
            revision.venv().map(Path::toString),
            RevisionLauncher.summary(spec, revision),
            launch,
            Map.of(),
            now,
            false);
    ServiceRecord service =
        new ServiceRecord(
            spec.name(),
            now,
            Map.of(),
            new Scaling(count, count, settings.router().concurrencyPerInstance(spec)),
            List.of(TrafficTarget.revision(revision.id(), 100)));
    InstanceLauncher.Factory processes = ProcessLauncher::new;
    InstanceLauncher.Factory launchers = processes;
    if (settings.container().isPresent()) {
      ContainerRun run = containerRun(spec, revision, memoryMiB);
      containers = run;
      reporter.step("Instances are containers of " + run.image() + " (" + run.engine() + ")");
      // The same life cycle, probes, restarts, logs and stop as processes; only the launch
      // differs. The launcher removes what a killed Pylon left of this revision first.
      launchers = (name, instanceOptions, warnings) -> new ContainerLauncher(run);
    }
    InstanceLauncher.Factory chosen = launchers;
    RevisionLogs output = new RevisionLogs(settings.stateDir());
    logs = output;
    Reconciler created =
        new Reconciler(
            new OneServiceStore(service, record, reporter),
            router,
            Optional.of(spec.name()),
            r -> r.launch().supervise(options),
            r -> chosen,
            new ConsoleOutput(output),
            ScalingPolicy.DEFAULT_STABLE_WINDOW,
            ScalingPolicy.DEFAULT_SCALE_TO_ZERO_GRACE_PERIOD);
    synchronized (this) {
      if (stopping.get()) {
        return 0;
      }
      reconciler = created;
      router.onActivation(created::activate);
      created.start();
    }
    StartOutcome outcome;
    try {
      outcome = created.awaitReady(revision.id(), options.startTimeout());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
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

  /** Every instance line on the console, and in {@code logs/<revision>.log} (a bounded ring). */
  private final class ConsoleOutput implements RevisionOutput {
    private final RevisionLogs file;

    ConsoleOutput(RevisionLogs file) {
      this.file = file;
    }

    @Override
    public void line(String revision, String instance, boolean stderr, String text) {
      reporter.instanceLine(instance, stderr, text);
      file.line(revision, instance, stderr, text);
    }

    @Override
    public String whereToLook(RevisionRecord revision) {
      return "its output is in " + file.file(revision.id()) + " and on pylon run's console";
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
    return project == null || project.isBlank() ? InstanceEnvironment.LOCAL_PROJECT : project;
  }

  private InetSocketAddress startRouter(ServiceSpec spec) throws RunFailure {
    Router created = new Router(settings.router().config(settings.host(), settings.port(), spec));
    router = created;
    InetSocketAddress address;
    try {
      address = created.start();
    } catch (RouterBindException e) {
      throw new RunFailure(e.getMessage(), 1);
    }
    // Requests that come while the app is built and its first instances start wait in the queue
    // (up to the queue timeout), as they do at a revision scaled to zero, instead of getting 503.
    created.publish(
        new RoutingSnapshot(
            List.of(
                new Route(
                    Route.ANY_HOST,
                    "/",
                    List.of(new Backend(spec.name(), 100, List.of(), true))))));
    return address;
  }

  /** The image to run (built now unless the user named one) and how each container runs. */
  private ContainerRun containerRun(ServiceSpec spec, Revision revision, OptionalLong memoryMiB)
      throws RunFailure {
    ContainerMode mode = settings.container().orElseThrow();
    String image = mode.image(spec, settings.stateDir(), new ReporterBuildProgress(reporter));
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
        // pip's lines reached the reporter as they came (ReporterBuildProgress): not again.
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
      Reconciler running;
      synchronized (this) {
        running = reconciler;
      }
      if (current != null && running != null) {
        reporter.step(
            "Stopping: draining in-flight requests (up to "
                + settings.grace().toSeconds()
                + " s)...");
        current.drain(settings.grace());
      }
      if (running != null) {
        running.close();
      }
      ContainerRun run = containers;
      if (run != null) {
        // A container whose `podman run` was killed at the end of the grace period outlives it.
        run.removeContainers();
      }
      if (current != null) {
        current.close();
      }
      RevisionLogs output = logs;
      if (output != null) {
        output.close();
      }
      MetadataServer metadata = metadataServer;
      if (metadata != null) {
        metadata.close();
      }
    } finally {
      stopped.countDown();
      stopRequested.countDown();
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
}
