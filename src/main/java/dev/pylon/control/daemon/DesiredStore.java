package dev.pylon.control.daemon;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What the {@link Reconciler} reads and writes: the desired state of services and revisions, the
 * counts it last scaled to, and events. {@link Store} keeps them in SQLite for {@code pylon
 * server}; {@code pylon run} keeps its one service in memory.
 */
public interface DesiredStore {
  List<ServiceRecord> services();

  /** The service's revisions, oldest first. */
  List<RevisionRecord> revisions(String service);

  /** The instance count the autoscaler last wanted, per revision. */
  Map<String, Integer> lastScales();

  void setLastScale(String revision, int instances);

  void addEvent(
      Instant at, String service, String revision, String instance, String kind, String detail);
}
