package dev.pylon.spec;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * Every default Pylon applies to a service, in one place, each beside the source it follows.
 * Nothing else in the spec package writes a default value.
 */
public final class Defaults {
  private Defaults() {}

  /** Threads of the built-in worker and of gunicorn's gthread worker (seed 001). */
  public static final int THREADS = 8;

  /** Gunicorn worker processes per instance; Pylon replicates with instances (seed 002). */
  public static final int GUNICORN_WORKERS = 1;

  /** The address instances listen on: only the router talks to them. */
  public static final String INSTANCE_HOST = "127.0.0.1";

  /** Modules tried, in order, when nothing names the app; each with its attributes. */
  public static final List<Map.Entry<String, List<String>>> CONVENTIONAL_APPS =
      List.of(
          Map.entry("main", List.of("app", "application")),
          Map.entry("app", List.of("app", "application")),
          Map.entry("wsgi", List.of("application", "app")),
          Map.entry("asgi", List.of("application", "app")));

  // --- Cloud Run / Knative, for services without app.yaml ---------------------------------

  /** Cloud Run's default minimum: scale to zero. */
  public static final int CLOUD_RUN_MIN_INSTANCES = 0;

  /** Cloud Run's default maximum instances. */
  public static final int CLOUD_RUN_MAX_INSTANCES = 100;

  /** Cloud Run's default containerConcurrency. */
  public static final int CLOUD_RUN_CONCURRENCY = 80;

  /** Knative's default target-utilization-percentage, as a fraction. */
  public static final double KNATIVE_TARGET_UTILIZATION = 0.7;

  /** Knative's scale-to-zero grace and stable window. */
  public static final Duration KNATIVE_STABLE_WINDOW = Duration.ofSeconds(60);

  /** Cloud Run's default request timeout (timeoutSeconds). */
  public static final Duration CLOUD_RUN_REQUEST_TIMEOUT = Duration.ofSeconds(300);

  /** Cloud Run's default CPU per instance. */
  public static final double CLOUD_RUN_CPU = 1.0;

  // --- App Engine flexible, for services with app.yaml (app.yaml reference) ---------------

  /** automatic_scaling.min_num_instances. */
  public static final int GAE_MIN_INSTANCES = 2;

  /** automatic_scaling.max_num_instances. */
  public static final int GAE_MAX_INSTANCES = 20;

  /** automatic_scaling.cool_down_period_sec. */
  public static final Duration GAE_COOL_DOWN = Duration.ofSeconds(120);

  /** automatic_scaling.cpu_utilization.target_utilization. */
  public static final double GAE_TARGET_UTILIZATION = 0.5;

  /** resources.cpu. */
  public static final double GAE_CPU = 1.0;

  /** resources.memory_gb, 0.6 GB. */
  public static final long GAE_MEMORY_MB = 614;

  /** resources.disk_size_gb. */
  public static final double GAE_DISK_GB = 10;

  /** liveness_check defaults. */
  public static final int GAE_LIVENESS_INTERVAL_SEC = 30;

  public static final int GAE_LIVENESS_TIMEOUT_SEC = 4;
  public static final int GAE_LIVENESS_FAILURE_THRESHOLD = 4;
  public static final int GAE_LIVENESS_SUCCESS_THRESHOLD = 2;
  public static final int GAE_LIVENESS_INITIAL_DELAY_SEC = 300;

  /** readiness_check defaults. */
  public static final int GAE_READINESS_INTERVAL_SEC = 5;

  public static final int GAE_READINESS_TIMEOUT_SEC = 4;
  public static final int GAE_READINESS_FAILURE_THRESHOLD = 2;
  public static final int GAE_READINESS_SUCCESS_THRESHOLD = 2;
  public static final int GAE_APP_START_TIMEOUT_SEC = 300;

  // --- Pylon's own, when nothing configures probes ----------------------------------------

  /** Without configured probes an instance is ready once its port accepts a connection. */
  public static final Duration TCP_PROBE_PERIOD = Duration.ofMillis(100);

  public static final Duration TCP_PROBE_TIMEOUT = Duration.ofSeconds(1);

  /** An instance whose port never opens within this time is replaced (Cloud Run: 240 s). */
  public static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(240);

  /** The port-accepts-connections check used when nothing configures a probe. */
  static Probe tcpProbe(String decidedBy) {
    return new Probe(
        Optional.empty(),
        Duration.ZERO,
        TCP_PROBE_PERIOD,
        TCP_PROBE_TIMEOUT,
        1,
        1,
        STARTUP_TIMEOUT,
        decidedBy);
  }

  /**
   * App Engine flexible's readiness check when app.yaml has no {@code readiness_check}: its split
   * health checks are on by default, and without a path they are not forwarded to the app, only
   * confirm the instance is up, so here: the port accepts connections, on App Engine's schedule.
   */
  static Probe gaeReadiness(String decidedBy) {
    return new Probe(
        Optional.empty(),
        Duration.ZERO,
        Duration.ofSeconds(GAE_READINESS_INTERVAL_SEC),
        Duration.ofSeconds(GAE_READINESS_TIMEOUT_SEC),
        GAE_READINESS_FAILURE_THRESHOLD,
        GAE_READINESS_SUCCESS_THRESHOLD,
        Duration.ofSeconds(GAE_APP_START_TIMEOUT_SEC),
        decidedBy);
  }

  /** App Engine flexible's liveness check when app.yaml has no {@code liveness_check}. */
  static Probe gaeLiveness(String decidedBy) {
    return new Probe(
        Optional.empty(),
        Duration.ofSeconds(GAE_LIVENESS_INITIAL_DELAY_SEC),
        Duration.ofSeconds(GAE_LIVENESS_INTERVAL_SEC),
        Duration.ofSeconds(GAE_LIVENESS_TIMEOUT_SEC),
        GAE_LIVENESS_FAILURE_THRESHOLD,
        GAE_LIVENESS_SUCCESS_THRESHOLD,
        Duration.ofSeconds(GAE_APP_START_TIMEOUT_SEC),
        decidedBy);
  }

  static Probes probes(String decidedBy) {
    return new Probes(tcpProbe(decidedBy), tcpProbe(decidedBy));
  }

  /** Cloud Run's scaling, which no file declared. */
  static Scaling cloudRunScaling(String decidedBy) {
    return new Scaling(
        CLOUD_RUN_MIN_INSTANCES,
        CLOUD_RUN_MAX_INSTANCES,
        CLOUD_RUN_CONCURRENCY,
        KNATIVE_TARGET_UTILIZATION,
        KNATIVE_STABLE_WINDOW,
        decidedBy,
        OptionalDouble.empty(),
        false,
        false);
  }

  static Resources cloudRunResources(String decidedBy) {
    return new Resources(CLOUD_RUN_CPU, OptionalLong.empty(), 0, decidedBy);
  }

  static Concurrency cloudRunConcurrency(String decidedBy) {
    return new Concurrency(CLOUD_RUN_CONCURRENCY, CLOUD_RUN_REQUEST_TIMEOUT, decidedBy);
  }
}
