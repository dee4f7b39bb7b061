package dev.pylon.control;

import dev.pylon.control.daemon.DesiredStore;
import dev.pylon.control.daemon.RevisionRecord;
import dev.pylon.control.daemon.ServiceRecord;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

/**
 * {@code pylon run}'s desired state: one service serving one revision with all its traffic, kept in
 * memory (nothing outlives the run, and no database is opened before the first request can be
 * served). Events are printed, one line each, as they happen.
 */
final class OneServiceStore implements DesiredStore {
  private static final DateTimeFormatter EVENT_TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

  private final ServiceRecord service;
  private final RevisionRecord revision;
  private final RunReporter reporter;

  OneServiceStore(ServiceRecord service, RevisionRecord revision, RunReporter reporter) {
    this.service = service;
    this.revision = revision;
    this.reporter = reporter;
  }

  @Override
  public List<ServiceRecord> services() {
    return List.of(service);
  }

  @Override
  public List<RevisionRecord> revisions(String name) {
    return name.equals(service.name()) ? List.of(revision) : List.of();
  }

  @Override
  public Map<String, Integer> lastScales() {
    return Map.of(); // a run starts afresh
  }

  @Override
  public void setLastScale(String revisionId, int instances) {
    // nothing outlives the run
  }

  @Override
  public void addEvent(
      Instant at,
      String serviceName,
      String revisionId,
      String instance,
      String kind,
      String detail) {
    reporter.step(
        EVENT_TIME.format(at)
            + " "
            + (instance.isEmpty() ? revisionId : instance)
            + " "
            + kind
            + (detail.isEmpty() ? "" : ": " + detail));
  }
}
