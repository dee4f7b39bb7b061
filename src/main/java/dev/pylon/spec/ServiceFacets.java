package dev.pylon.spec;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The service's scaling, concurrency, probes and resources, each merged from service.yaml over
 * app.yaml over the platform's defaults (App Engine's for an app.yaml service, Cloud Run's else).
 */
final class ServiceFacets {
  private ServiceFacets() {}

  static Scaling scaling(
      Optional<AppYamlReader.AppYaml> appYaml,
      Optional<ServiceYamlReader.ServiceYaml> serviceYaml,
      OptionalInt instances,
      String instancesBy,
      List<SpecProblem> errors) {
    Scaling base =
        appYaml
            .map(AppYamlReader.AppYaml::scaling)
            .orElse(Defaults.cloudRunScaling("Cloud Run defaults"));
    if (serviceYaml.isPresent()) {
      ServiceYamlReader.ServiceYaml s = serviceYaml.get();
      if (s.minScale().isPresent()
          || s.maxScale().isPresent()
          || s.target().isPresent()
          || s.targetUtilization().isPresent()) {
        int min =
            s.minScale()
                .orElse(
                    appYaml.isPresent() ? base.minInstances() : Defaults.CLOUD_RUN_MIN_INSTANCES);
        int max = s.maxScale().orElse(base.maxInstances());
        if (max == 0) {
          max = Defaults.CLOUD_RUN_MAX_INSTANCES; // Knative: 0 means no limit; Pylon keeps one
        }
        if (min > max) {
          errors.add(
              s.minScaleAt()
                  .orElse(Origin.ofFile(s.file()))
                  .problem(
                      "min-scale (" + min + ") is more than max-scale (" + max + ")",
                      "make autoscaling.knative.dev/min-scale at most max-scale"));
        }
        base =
            new Scaling(
                min,
                max,
                s.target().orElse(base.targetConcurrency()),
                s.targetUtilization().orElse(base.targetUtilization()),
                base.coolDown(),
                "service.yaml autoscaling annotations; " + base.decidedBy() + " for the rest");
      }
    }
    if (instances.isPresent()) {
      int n = instances.getAsInt();
      base =
          new Scaling(
              n,
              n,
              base.targetConcurrency(),
              base.targetUtilization(),
              base.coolDown(),
              instancesBy + " fixes the count at " + n);
    }
    return base;
  }

  static Concurrency concurrency(Optional<ServiceYamlReader.ServiceYaml> serviceYaml) {
    Concurrency base = Defaults.cloudRunConcurrency("Cloud Run defaults");
    if (serviceYaml.isEmpty()) {
      return base;
    }
    ServiceYamlReader.ServiceYaml s = serviceYaml.get();
    if (s.containerConcurrency().isEmpty() && s.timeout().isEmpty()) {
      return base;
    }
    return new Concurrency(
        s.containerConcurrency().orElse(base.maxPerInstance()),
        s.timeout().orElse(base.requestTimeout()),
        "service.yaml containerConcurrency/timeoutSeconds; Cloud Run defaults for the rest");
  }

  static Probes probes(
      Optional<AppYamlReader.AppYaml> appYaml,
      Optional<ServiceYamlReader.ServiceYaml> serviceYaml) {
    Probe readiness =
        serviceYaml
            .flatMap(ServiceYamlReader.ServiceYaml::readiness)
            .or(() -> appYaml.flatMap(AppYamlReader.AppYaml::readiness))
            .orElseGet(
                () ->
                    appYaml.isPresent()
                        ? Defaults.gaeReadiness(
                            "App Engine flexible's default readiness check (app.yaml has no"
                                + " readiness_check): without a path it does not reach the app,"
                                + " so ready once the port accepts connections")
                        : Defaults.tcpProbe(
                            "no readiness check configured: ready once the port accepts"
                                + " connections"));
    Probe liveness =
        serviceYaml
            .flatMap(ServiceYamlReader.ServiceYaml::liveness)
            .or(() -> appYaml.flatMap(AppYamlReader.AppYaml::liveness))
            .orElseGet(
                () ->
                    appYaml.isPresent()
                        ? Defaults.gaeLiveness(
                            "App Engine flexible's default liveness check (app.yaml has no"
                                + " liveness_check): without a path it does not reach the app,"
                                + " so alive while the port accepts connections")
                        : Defaults.tcpProbe(
                            "no liveness check configured: alive while the port accepts"
                                + " connections"));
    Optional<Duration> start = serviceYaml.flatMap(ServiceYamlReader.ServiceYaml::startTimeout);
    if (start.isPresent()) {
      readiness =
          new Probe(
              readiness.httpPath(),
              readiness.initialDelay(),
              readiness.period(),
              readiness.timeout(),
              readiness.failureThreshold(),
              readiness.successThreshold(),
              start.get(),
              readiness.decidedBy() + "; start timeout from service.yaml startupProbe");
    }
    return new Probes(readiness, liveness);
  }

  static Resources resources(
      Optional<AppYamlReader.AppYaml> appYaml,
      Optional<ServiceYamlReader.ServiceYaml> serviceYaml) {
    Resources base =
        appYaml
            .map(AppYamlReader.AppYaml::resources)
            .orElse(Defaults.cloudRunResources("Cloud Run defaults, no memory limit"));
    if (serviceYaml.isPresent()) {
      ServiceYamlReader.ServiceYaml s = serviceYaml.get();
      if (s.cpu().isPresent() || s.memoryMb().isPresent()) {
        return new Resources(
            s.cpu().orElse(base.cpu()),
            s.memoryMb().isPresent() ? s.memoryMb() : base.memoryMb(),
            base.diskGb(),
            "service.yaml resources.limits"
                + (appYaml.isPresent() ? "; app.yaml or its defaults for the rest" : ""));
      }
    }
    return base;
  }
}
