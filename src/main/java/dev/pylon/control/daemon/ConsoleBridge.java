package dev.pylon.control.daemon;

import dev.pylon.control.admin.ScalingBody;
import dev.pylon.control.admin.TrafficBody;
import dev.pylon.control.console.ActionRefused;
import dev.pylon.control.console.ConsoleBackend;
import dev.pylon.runtime.InstanceStatus;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The console's view of the daemon. It reads the store, the reconciler and the logs the admin API
 * reads, and acts only through {@link AdminOperations}, the admin API's own operations: a change
 * made on the page is the change the CLI makes, refused with the same text.
 */
final class ConsoleBridge implements ConsoleBackend {
  private final Store store;
  private final AdminOperations operations;
  private final Reconciler reconciler;
  private final RevisionLogs logs;
  private final AdminToken token;
  private final Supplier<String> metrics;

  ConsoleBridge(
      Store store,
      AdminOperations operations,
      Reconciler reconciler,
      RevisionLogs logs,
      AdminToken token,
      Supplier<String> metrics) {
    this.store = store;
    this.operations = operations;
    this.reconciler = reconciler;
    this.logs = logs;
    this.token = token;
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
    return operations.serviceUrl(service);
  }

  @Override
  public String tagUrl(String service, String tag) {
    return operations.tagUrl(service, tag);
  }

  @Override
  public String metricsText() {
    return metrics.get();
  }

  @Override
  public void setTraffic(String service, Map<String, Integer> percents) throws ActionRefused {
    run(() -> operations.setTraffic(service, TrafficBody.byRevision(percents)));
  }

  @Override
  public String rollback(String service) throws ActionRefused {
    String[] to = new String[1];
    run(() -> to[0] = operations.rollback(service).rolledBackTo());
    return to[0];
  }

  @Override
  public void tag(String service, String revision, String tag) throws ActionRefused {
    run(() -> operations.tag(service, revision, tag));
  }

  @Override
  public void scale(String service, int min, int max, int concurrency) throws ActionRefused {
    run(
        () ->
            operations.setScaling(
                service, new ScalingBody(min, max, concurrency, null, null, null)));
  }

  @Override
  public void delete(String service) throws ActionRefused {
    run(() -> operations.delete(service));
  }

  private interface Operation {
    void run() throws AdminError, InterruptedException;
  }

  private static void run(Operation operation) throws ActionRefused {
    try {
      operation.run();
    } catch (AdminError e) {
      throw new ActionRefused(e.getMessage(), e.hint());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ActionRefused("the daemon is stopping", "start it again with `pylon server`");
    }
  }
}
