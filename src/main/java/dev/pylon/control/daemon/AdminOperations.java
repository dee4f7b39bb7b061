package dev.pylon.control.daemon;

import dev.pylon.control.admin.DeletedView;
import dev.pylon.control.admin.DeployBody;
import dev.pylon.control.admin.DeployView;
import dev.pylon.control.admin.EnvBody;
import dev.pylon.control.admin.EnvOutcome;
import dev.pylon.control.admin.EventView;
import dev.pylon.control.admin.HealthView;
import dev.pylon.control.admin.InstanceView;
import dev.pylon.control.admin.LogLineView;
import dev.pylon.control.admin.RevisionView;
import dev.pylon.control.admin.ScalerView;
import dev.pylon.control.admin.ScalingBody;
import dev.pylon.control.admin.ServiceView;
import dev.pylon.control.admin.TrafficBody;
import dev.pylon.revision.BuildProgress;
import dev.pylon.runtime.InstanceStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the admin API (and the web console) can ask of the daemon, one method per operation: plain
 * calls that take the admin API's request records, answer with its views, and refuse with an {@link
 * AdminError}. The HTTP side ({@code AdminApi}) only parses, calls and writes.
 */
public final class AdminOperations {
  private final Store store;
  private final Deployer deployer;
  private final Reconciler reconciler;
  private final ScalingChange scaling;
  private final LogMerge logs;

  AdminOperations(
      Store store, Deployer deployer, Reconciler reconciler, RevisionLogs logs, Clock clock) {
    this.store = store;
    this.deployer = deployer;
    this.reconciler = reconciler;
    this.scaling = new ScalingChange(store, reconciler, clock);
    this.logs = new LogMerge(logs);
  }

  public HealthView health() {
    return new HealthView(true, ProcessHandle.current().pid(), store.schemaVersion());
  }

  public List<ServiceView> services() {
    return store.services().stream().map(this::view).toList();
  }

  public ServiceView service(String name) throws AdminError {
    return view(record(name));
  }

  public List<RevisionView> revisions(String service) throws AdminError {
    ServiceRecord record = record(service);
    List<RevisionRecord> revisions = store.revisions(service);
    ServingPlan plan = ServingPlan.of(record, revisions);
    return revisions.stream().map(r -> AdminViews.revision(r, plan)).toList();
  }

  /** The events of one service or of all, newest {@code limit}. */
  public List<EventView> events(Optional<String> service, int limit) {
    return store.events(service, limit).stream().map(AdminViews::event).toList();
  }

  /** What the autoscaler wants for each scaled revision, by revision id. */
  public List<ScalerView> scalers() {
    return reconciler.scales().values().stream()
        .sorted(Comparator.comparing(RevisionScale::revision))
        .map(AdminViews::scaler)
        .toList();
  }

  /** Every running instance, by revision id. */
  public List<InstanceView> instances() {
    List<InstanceView> all = new ArrayList<>();
    reconciler.instances().entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            entry -> {
              for (InstanceStatus status : entry.getValue()) {
                all.add(AdminViews.instance(entry.getKey(), status));
              }
            });
    return all;
  }

  /** What a deploy body asks for, checked before any work starts. */
  public static DeployRequest deployRequest(DeployBody body) throws AdminError {
    if (body.path() == null || body.path().isBlank()) {
      throw AdminError.invalid("the request needs \"path\"", "");
    }
    boolean container = Boolean.TRUE.equals(body.container());
    if (text(body.image()).isPresent() && !container) {
      throw AdminError.invalid(
          "\"image\" goes with \"container\"", "pylon deploy DIR --container --image NAME");
    }
    return new DeployRequest(
        Path.of(body.path()),
        text(body.service()),
        Boolean.TRUE.equals(body.noTraffic()),
        text(body.tag()),
        Boolean.TRUE.equals(body.systemSitePackages()),
        text(body.python()),
        text(body.entrypoint()),
        text(body.app()),
        Duration.ofMillis(Math.max(0, body.rolloutMillis() == null ? 0 : body.rolloutMillis())),
        container,
        text(body.image()));
  }

  /** Builds the folder into a new revision and rolls it out ({@link Deployer#deploy}). */
  public DeployView deploy(DeployRequest request, BuildProgress progress)
      throws AdminError, InterruptedException {
    return AdminViews.deploy(deployer.deploy(request, progress));
  }

  public DeletedView delete(String service) throws AdminError, InterruptedException {
    deployer.delete(service);
    return new DeletedView(service);
  }

  /** Moves the service's traffic; shares by tag go to the revisions the tags name now. */
  public ServiceView setTraffic(String service, TrafficBody request)
      throws AdminError, InterruptedException {
    Map<String, String> tags =
        request.tagPercents() == null || request.tagPercents().isEmpty()
            ? Map.of()
            : ServingPlan.of(record(service), store.revisions(service)).tags();
    Map<String, Integer> percents = TrafficShares.byRevision(service, request, tags);
    deployer.setTraffic(service, percents, percents.isEmpty());
    return service(service);
  }

  /** Changes the service's scaling ({@link ScalingChange}). */
  public ServiceView setScaling(String service, ScalingBody request) throws AdminError {
    scaling.apply(service, request);
    return service(service);
  }

  /** Refuses an env change that names a variable wrongly or a service that is not there. */
  public void checkEnv(String service, EnvBody request) throws AdminError {
    for (String key : request.set().keySet()) {
      if (!key.matches("[A-Za-z_][A-Za-z0-9_]*")) {
        throw AdminError.invalid(
            "\"" + key + "\" is not a variable name", "use letters, digits and _");
      }
    }
    record(service);
  }

  /**
   * Sets and unsets the service's variables: a new revision of its newest ready code, or the
   * service as it is when it has none yet.
   */
  public EnvOutcome updateEnv(String service, EnvBody request, BuildProgress progress)
      throws AdminError, InterruptedException {
    checkEnv(service, request);
    Optional<DeployResult> result =
        deployer.updateEnv(service, request.set(), request.unset(), progress);
    return result.isPresent()
        ? AdminViews.deploy(result.get())
        : new EnvOutcome.Unchanged(service(service));
  }

  /** Gives a ready revision a tag, moving it from another revision; the shares stay. */
  public ServiceView tag(String service, String revision, String tag)
      throws AdminError, InterruptedException {
    deployer.tag(service, revision, tag);
    return service(service);
  }

  /** All traffic to the ready revision before the serving one; the view says which it is. */
  public ServiceView rollback(String service) throws AdminError, InterruptedException {
    RevisionRecord revision = deployer.rollback(service);
    return service(service).rolledBackTo(revision.id());
  }

  /** The last {@code lines} lines of one revision's log, or of all the service's, by time. */
  public List<LogLineView> logs(String service, Optional<String> revision, int lines)
      throws AdminError {
    record(service);
    List<String> revisions =
        revision.isPresent()
            ? List.of(revision.get())
            : store.revisions(service).stream().map(RevisionRecord::id).toList();
    try {
      return logs.tail(revisions, lines);
    } catch (IOException e) {
      throw new AdminError(
          AdminError.Kind.INTERNAL,
          "cannot read the logs of " + service + ": " + e.getMessage(),
          "see the daemon's log; the files are under the state directory's logs/");
    }
  }

  /** Where the router serves the service: {@code http://SERVICE.localhost:PORT/}. */
  public String serviceUrl(String service) {
    return deployer.serviceUrl(service);
  }

  /** Where the router serves a tagged revision: {@code http://TAG---SERVICE.localhost:PORT/}. */
  public String tagUrl(String service, String tag) {
    return deployer.tagUrl(tag, service);
  }

  private ServiceRecord record(String name) throws AdminError {
    return store.service(name).orElseThrow(() -> AdminError.noService(name));
  }

  private ServiceView view(ServiceRecord service) {
    return AdminViews.service(
        service, store.revisions(service.name()), deployer.serviceUrl(service.name()));
  }

  private static Optional<String> text(String value) {
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
  }
}
