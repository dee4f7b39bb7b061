package dev.pylon.autoscale;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Replays a {@link LoadPattern} through the policy with a fake clock, one tick per second: each
 * tick records that second's load in a {@link MetricWindow}, asks the {@link Autoscaler}, and
 * simulates the instances (new ones ready after {@code startupDelay}, removed ones gone at once).
 */
final class LoadReplay {
  /** Where the fake clock starts; an arbitrary whole second. */
  static final Instant T0 = Instant.parse("2026-11-23T12:00:00Z");

  /** What happened at one second. */
  record Tick(long second, double load, int ready, Decision decision) {
    int desired() {
      return decision.desiredInstances();
    }

    @Override
    public String toString() {
      return "t=" + second + " load=" + load + " ready=" + ready + " -> " + decision;
    }
  }

  private final ScalingPolicy policy;
  private Duration startupDelay = Duration.ZERO;
  private int initiallyReady = -1;
  private ScalerState initialState;

  LoadReplay(ScalingPolicy policy) {
    this.policy = policy;
  }

  /** New instances become ready this long after the decision that asked for them. */
  LoadReplay startupDelay(Duration d) {
    startupDelay = d;
    return this;
  }

  /** Instances ready at second 0; default the policy's starting instances. */
  LoadReplay initiallyReady(int n) {
    initiallyReady = n;
    return this;
  }

  /** The autoscaler state at second 0; default {@link ScalerState#start}. */
  LoadReplay initialState(ScalerState s) {
    initialState = s;
    return this;
  }

  /** Runs {@code seconds} ticks and returns them all, in order. */
  List<Tick> run(LoadPattern load, long seconds) {
    Autoscaler autoscaler = new Autoscaler(policy);
    MetricWindow window = new MetricWindow(policy);
    ScalerState state = initialState != null ? initialState : ScalerState.start(T0);
    int ready = initiallyReady >= 0 ? initiallyReady : policy.startingInstances();
    List<Long> starting = new ArrayList<>(); // second at which each starting instance is ready
    List<Tick> ticks = new ArrayList<>();
    long delay = startupDelay.toSeconds();
    for (long s = 0; s < seconds; s++) {
      Instant now = T0.plusSeconds(s);
      for (var it = starting.iterator(); it.hasNext(); ) {
        if (it.next() <= s) {
          it.remove();
          ready++;
        }
      }
      double l = load.at(s);
      window.record(now, l);
      Decision d = autoscaler.decide(now, window.stats(now), ready, state);
      ticks.add(new Tick(s, l, ready, d));
      state = d.state();
      int want = d.desiredInstances();
      while (ready + starting.size() > want) {
        if (!starting.isEmpty()) {
          starting.remove(starting.size() - 1);
        } else {
          ready--;
        }
      }
      while (ready + starting.size() < want) {
        if (delay == 0) {
          ready++;
        } else {
          starting.add(s + delay);
        }
      }
    }
    return ticks;
  }
}
