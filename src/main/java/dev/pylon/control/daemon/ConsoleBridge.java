package dev.pylon.control.daemon;

import dev.pylon.autoscale.ScalingMetric;
import dev.pylon.control.console.ActionRefused;
import dev.pylon.control.console.ConsoleBackend;
import dev.pylon.runtime.InstanceStatus;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The console's view of the daemon: the same store, deployer, reconciler and logs the admin API
 * calls, so a change made on the page is the change the CLI would make, refused with the same text.
 */
final class ConsoleBridge implements ConsoleBackend {
  private final Store store;
  private final Deployer deployer;
  private final Reconciler reconciler;
  private final RevisionLogs logs;
  private final AdminToken token;
  private final Clock clock;
  private final Supplier<String> metrics;

  ConsoleBridge(
      Store store,
      Deployer deployer,
      Reconciler reconciler,
      RevisionLogs logs,
      AdminToken token,
      Clock clock,
      Supplier<String> metrics) {
    this.store = store;
    this.deployer = deployer;
    this.reconciler = reconciler;
    this.logs = logs;
    this.token = token;
    this.clock = clock;
    this.metrics = metrics;
  }

  @Override
  public boolean acceptsBearer(String authorization) {
    return token.accepts(authorization);
  }

  @Override
  public List<ServiceRecord> services() {
    return store.services();
  }

  @Override
  public Optional<ServiceRecord> service(String name) {
    return store.service(name);
  }

  @Override
  public List<RevisionRecord> revisions(String service) {
    return store.revisions(service);
  }

  @Override
  public Map<String, RevisionScale> scales() {
    return reconciler.scales();
  }

  @Override
  public Map<String, List<InstanceStatus>> instances() {
    return reconciler.instances();
  }

  @Override
  public List<EventRecord> events(Optional<String> service, int limit) {
    return store.events(service, limit);
  }

  @Override
  public List<String> logTail(String revision, int lines) {
    try {
      return logs.tail(revision, lines);
    } catch (IOException e) {
      return List.of();
    }
  }

  @Override
  public String serviceUrl(String service) {
    return deployer.serviceUrl(service);
  }

  @Override
  public String tagUrl(String service, String tag) {
    return deployer.tagUrl(tag, service);
  }

  @Override
  public String metricsText() {
    return metrics.get();
  }

  @Override
  public void setTraffic(String service, Map<String, Integer> percents) throws ActionRefused {
    run(() -> deployer.setTraffic(service, percents, false));
  }

  @Override
  public String rollback(String service) throws ActionRefused {
    String[] to = new String[1];
    run(() -> to[0] = deployer.rollback(service).id());
    return to[0];
  }

  @Override
  public void tag(String service, String revision, String tag) throws ActionRefused {
    run(() -> deployer.tag(service, revision, tag));
  }

  /** What {@code PUT /v1/services/NAME/scaling} does with min, max and concurrency. */
  @Override
  public void scale(String service, int min, int max, int concurrency) throws ActionRefused {
    run(
        () -> {
          ServiceRecord record =
              store.service(service).orElseThrow(() -> ApiException.noService(service));
          Scaling old = record.scaling();
          Scaling scaling;
          try {
            scaling = new Scaling(min, max, concurrency).withCoolDown(old.coolDown());
            if (old.metric() == ScalingMetric.CPU) {
              scaling = scaling.onCpu(old.cpuTarget());
            }
          } catch (IllegalArgumentException e) {
            throw new ApiException(400, e.getMessage(), "for example min 1, max 5, concurrency 80");
          }
          store.setScaling(service, scaling);
          store.addEvent(clock.instant(), service, "", "", "scaled", scaling.toString());
          reconciler.poke();
        });
  }

  @Override
  public void delete(String service) throws ActionRefused {
    run(() -> deployer.delete(service));
  }

  private interface Operation {
    void run() throws ApiException, InterruptedException;
  }

  private static void run(Operation operation) throws ActionRefused {
    try {
      operation.run();
    } catch (ApiException e) {
      throw new ActionRefused(e.getMessage(), e.hint());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ActionRefused("the daemon is stopping", "start it again with `pylon server`");
    }
  }
}
