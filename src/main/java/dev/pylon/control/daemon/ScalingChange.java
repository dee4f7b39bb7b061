package dev.pylon.control.daemon;

import dev.pylon.autoscale.ScalingMetric;
import dev.pylon.control.admin.ScalingBody;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code pylon scale}: a service's new scaling from its old one and what the request changes; it is
 * stored, written as a "scaled" event, and the reconciler applies it to the running revisions.
 */
final class ScalingChange {
  private static final String EXAMPLE =
      "for example --min 1 --max 5 --concurrency 80, or --cpu-target 0.6 --cool-down 2m";

  private final Store store;
  private final Reconciler reconciler;
  private final Clock clock;

  ScalingChange(Store store, Reconciler reconciler, Clock clock) {
    this.store = store;
    this.reconciler = reconciler;
    this.clock = clock;
  }

  /** Sets the service's scaling; returns what it is now. */
  Scaling apply(String service, ScalingBody request) throws AdminError {
    Scaling old = store.service(service).orElseThrow(() -> AdminError.noService(service)).scaling();
    Scaling scaling = next(old, request);
    store.setScaling(service, scaling);
    store.addEvent(clock.instant(), service, "", "", "scaled", scaling.toString());
    reconciler.poke();
    return scaling;
  }

  /**
   * {@code old} with what {@code request} says. A CPU target means scaling on CPU; a CPU target of
   * 0 is App Engine's 50% of one core; a cool-down of 0 is the daemon's stable window.
   */
  static Scaling next(Scaling old, ScalingBody request) throws AdminError {
    try {
      Scaling scaling =
          new Scaling(
                  orElse(request.min(), old.min()),
                  orElse(request.max(), old.max()),
                  orElse(request.concurrency(), old.concurrency()))
              .withCoolDown(old.coolDown());
      ScalingMetric metric = old.metric();
      if (request.metric() != null) {
        metric =
            Scaling.metricNamed(request.metric())
                .orElseThrow(
                    () ->
                        new IllegalArgumentException(
                            "\"" + request.metric() + "\" is not a metric the daemon scales on"));
      } else if (request.cpuTarget() != null) {
        metric = ScalingMetric.CPU;
      }
      if (metric == ScalingMetric.CPU) {
        double cores = request.cpuTarget() != null ? request.cpuTarget() : old.cpuTarget();
        if (cores == 0) {
          cores = ScalingMetric.CPU.defaultTarget();
        }
        scaling = scaling.onCpu(cores);
      }
      if (request.coolDownSeconds() != null) {
        double seconds = request.coolDownSeconds();
        scaling =
            scaling.withCoolDown(
                seconds == 0
                    ? Optional.empty()
                    : Optional.of(Duration.ofMillis(Math.round(seconds * 1000))));
      }
      return scaling;
    } catch (IllegalArgumentException e) {
      throw AdminError.invalid(e.getMessage(), EXAMPLE);
    }
  }

  private static int orElse(Integer value, int old) {
    return value == null ? old : value;
  }
}
