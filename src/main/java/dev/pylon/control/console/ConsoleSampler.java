package dev.pylon.control.console;

import dev.pylon.control.daemon.RevisionScale;
import dev.pylon.runtime.InstanceStatus;
import dev.pylon.runtime.ProcessGroupUse;
import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the counters into the ring: the whole router's from {@code /metrics}' text, each service's
 * from the per-instance tally (an instance's address is mapped to its revision and service when it
 * is read, so a port used again by another revision later counts for the new one only from then
 * on), and each service's ready and desired instances from its autoscalers.
 */
final class ConsoleSampler {
  private final ConsoleBackend backend;
  private final UpstreamTally tally;
  private final SampleRing ring;
  private final Clock clock;
  private final Map<String, Counts> lastByUpstream = new HashMap<>();
  private final Map<String, Counts> byService = new HashMap<>();
  private long clockTicks;
  private Map<Long, ProcessGroupUse> lastUse = Map.of();
  private long lastUseNanos;
  private volatile Map<Long, InstanceUse> use = Map.of();

  /** What an instance's process group uses, with the cores it used since the sample before. */
  record InstanceUse(long residentBytes, double cpuSeconds, double cores) {}

  ConsoleSampler(ConsoleBackend backend, UpstreamTally tally, SampleRing ring, Clock clock) {
    this.backend = backend;
    this.tally = tally;
    this.ring = ring;
    this.clock = clock;
  }

  /** Takes one sample. Called from one thread only. */
  synchronized void sample() {
    String text = backend.metricsText();
    Map<String, RevisionScale> scales = backend.scales();
    Map<String, String> serviceOfPort = new HashMap<>();
    Set<Long> groups = new HashSet<>();
    for (Map.Entry<String, List<InstanceStatus>> entry : backend.instances().entrySet()) {
      String service = serviceOf(entry.getKey(), scales);
      for (InstanceStatus instance : entry.getValue()) {
        if (instance.port() > 0) {
          serviceOfPort.put(Integer.toString(instance.port()), service);
        }
        if (instance.pid() > 0) {
          groups.add(instance.pid());
        }
      }
    }
    sampleUse(groups);
    tally
        .counts()
        .forEach(
            (upstream, counts) -> {
              Counts delta = counts.since(lastByUpstream.getOrDefault(upstream, Counts.NONE));
              lastByUpstream.put(upstream, counts);
              String port = upstream.substring(upstream.lastIndexOf(':') + 1);
              String service = serviceOfPort.get(port);
              if (service != null && delta.requests() > 0) {
                byService.merge(service, delta, Counts::plus);
              }
            });
    Map<String, Integer> ready = new HashMap<>();
    Map<String, Integer> desired = new HashMap<>();
    for (RevisionScale scale : scales.values()) {
      ready.merge(scale.service(), scale.ready(), Integer::sum);
      desired.merge(scale.service(), scale.desired(), Integer::sum);
    }
    ring.add(
        new Sample(
            clock.instant(),
            PrometheusCounts.read(text),
            PrometheusCounts.inFlight(text),
            byService,
            ready,
            desired));
  }

  /**
   * Each instance's memory and CPU as of the last sample, by process group (the instance's pid).
   */
  Map<Long, InstanceUse> use() {
    return use;
  }

  // Read here, off the request path: a pass over /proc is slow on a loaded machine.
  private void sampleUse(Set<Long> groups) {
    if (clockTicks == 0) {
      clockTicks = ProcessGroupUse.clockTicksPerSecond();
    }
    long now = System.nanoTime();
    Map<Long, ProcessGroupUse> readings = ProcessGroupUse.of(groups, clockTicks);
    double seconds = (now - lastUseNanos) / 1e9;
    Map<Long, InstanceUse> next = new HashMap<>();
    readings.forEach(
        (group, reading) -> {
          ProcessGroupUse before = lastUse.get(group);
          double cores =
              before == null || seconds <= 0
                  ? Double.NaN
                  : Math.max(0, reading.cpuSeconds() - before.cpuSeconds()) / seconds;
          next.put(group, new InstanceUse(reading.residentBytes(), reading.cpuSeconds(), cores));
        });
    lastUse = readings;
    lastUseNanos = now;
    use = Map.copyOf(next);
  }

  /** A revision's service: its autoscaler knows; else the id without {@code -00001-abc}. */
  static String serviceOf(String revision, Map<String, RevisionScale> scales) {
    RevisionScale scale = scales.get(revision);
    if (scale != null && !scale.service().isEmpty()) {
      return scale.service();
    }
    int last = revision.lastIndexOf('-');
    int before = last > 0 ? revision.lastIndexOf('-', last - 1) : -1;
    return before > 0 ? revision.substring(0, before) : revision;
  }
}
