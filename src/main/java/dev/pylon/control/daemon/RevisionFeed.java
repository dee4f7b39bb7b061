package dev.pylon.control.daemon;

import dev.pylon.router.Router;
import dev.pylon.runtime.InstanceEvent;
import dev.pylon.runtime.InstanceListener;
import dev.pylon.runtime.ReadyInstance;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * What one revision's instance set reports, passed on: ready instances and crash loops to the
 * revision's {@link RunningRevision} and a new routing snapshot, exits to the router (so a request
 * on an instance that died gets a 502 naming the exit), events to the store, lines to the output.
 */
final class RevisionFeed implements InstanceListener {
  private final RevisionRecord revision;
  private final Router router;
  private final RevisionOutput output;
  private final StoreWriter writes;
  private final Predicate<RunningRevision> current;
  private final Runnable publish;

  /**
   * The set this feed reports for: a revision stopped and started again has a new set, and the old
   * one's last reports must not overwrite the new one's ready instances.
   */
  volatile RunningRevision owner;

  /** The router's id of each instance that was ever ready, for telling it of exits. */
  private final Map<String, String> upstreamIds = new ConcurrentHashMap<>();

  /**
   * @param current whether a revision's run is still the one the reconciler runs for it
   * @param publish publishes the reconciler's routing snapshot again
   */
  RevisionFeed(
      RevisionRecord revision,
      Router router,
      RevisionOutput output,
      StoreWriter writes,
      Predicate<RunningRevision> current,
      Runnable publish) {
    this.revision = revision;
    this.router = router;
    this.output = output;
    this.writes = writes;
    this.current = current;
    this.publish = publish;
  }

  @Override
  public void readyChanged(List<ReadyInstance> ready) {
    ready.forEach(i -> upstreamIds.put(i.name(), RoutingTable.upstreamId(i)));
    RunningRevision run = owner;
    if (run != null) {
      run.ready = List.copyOf(ready);
      run.phases.ready(ready);
      run.health = run.phases.health();
      if (current.test(run)) {
        publish.run();
      }
    }
  }

  @Override
  public void event(InstanceEvent event) {
    String upstreamId = upstreamIds.get(event.instance());
    if (upstreamId != null && event.kind() == InstanceEvent.Kind.EXITED) {
      router.instanceExited(upstreamId, "instance " + event.instance() + " " + event.detail());
    }
    String kind = event.kind().name().toLowerCase(Locale.ROOT).replace('_', ' ');
    record(event.at(), event.instance(), kind, event.detail());
    RunningRevision run = owner;
    if (run != null) {
      boolean seen = run.phases.event(event);
      run.health = run.phases.health();
      if (seen && current.test(run)) {
        publish.run(); // a crash loop began or ended: the router answers at once, or waits again
      }
    }
  }

  @Override
  public void output(String instance, boolean stderr, String line) {
    output.line(revision.id(), instance, stderr, line);
  }

  private void record(Instant at, String instance, String kind, String detail) {
    writes.event(at, revision.service(), revision.id(), instance, kind, detail);
  }
}
