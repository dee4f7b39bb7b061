package dev.pylon.control.console;

import dev.pylon.control.daemon.EventRecord;
import dev.pylon.control.daemon.RevisionRecord;
import dev.pylon.control.daemon.RevisionScale;
import dev.pylon.control.daemon.ServiceRecord;
import dev.pylon.runtime.InstanceStatus;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the console reads and does, through the same operations the admin API calls for the CLI (the
 * store, the deployer, the reconciler, the revision logs, {@code /metrics}'s text). Each action
 * either happens or is refused with the text the CLI would show.
 */
public interface ConsoleBackend {
  /** Whether an {@code Authorization} header carries the admin API's bearer token. */
  boolean acceptsBearer(String authorization);

  List<ServiceRecord> services();

  Optional<ServiceRecord> service(String name);

  /** The service's revisions, oldest first. */
  List<RevisionRecord> revisions(String service);

  /** Each scaled revision's ready and desired instances and the autoscaler's last decision. */
  Map<String, RevisionScale> scales();

  /** Each running revision's instances. */
  Map<String, List<InstanceStatus>> instances();

  /** The newest events first. */
  List<EventRecord> events(Optional<String> service, int limit);

  /** The revision's last {@code lines} log lines as JSON objects (time, instance, message...). */
  List<String> logTail(String revision, int lines);

  String serviceUrl(String service);

  String tagUrl(String service, String tag);

  /** The text {@code /metrics} serves now. */
  String metricsText();

  void setTraffic(String service, Map<String, Integer> percents) throws ActionRefused;

  /** Rolls back; returns the revision now serving. */
  String rollback(String service) throws ActionRefused;

  void tag(String service, String revision, String tag) throws ActionRefused;

  void scale(String service, int min, int max, int concurrency) throws ActionRefused;

  void delete(String service) throws ActionRefused;
}
