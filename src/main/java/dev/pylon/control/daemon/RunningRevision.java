package dev.pylon.control.daemon;

import dev.pylon.runtime.InstanceSet;
import dev.pylon.runtime.ReadyInstance;
import java.time.Duration;
import java.util.List;

/**
 * A revision the {@link Reconciler} runs: its instance set and what the set last reported. {@code
 * ready} and {@code health} are replaced by the set's {@link RevisionFeed}.
 */
final class RunningRevision {
  final InstanceSet instances;
  final CpuRate cpu = new CpuRate();
  final Duration grace;
  final InstancePhases phases = new InstancePhases(); // the set's supervisor thread only
  volatile int count;
  volatile List<ReadyInstance> ready = List.of();
  volatile RevisionHealth health = RevisionHealth.NONE;

  RunningRevision(InstanceSet instances, int count, Duration grace) {
    this.instances = instances;
    this.count = count;
    this.grace = grace;
  }
}
