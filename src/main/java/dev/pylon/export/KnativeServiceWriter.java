package dev.pylon.export;

import dev.pylon.spec.Concurrency;
import dev.pylon.spec.Probes;
import dev.pylon.spec.Scaling;
import dev.pylon.spec.ServiceSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Knative {@code serving.knative.dev/v1} Service for a service: the shape Cloud Run exports, so
 * {@code pylon export --to knative} output reads back through Pylon's own service.yaml reader.
 * Pure: the spec and an image in, YAML text out.
 */
public final class KnativeServiceWriter {
  /** Knative's default {@code max-revision-timeout-seconds}; longer needs cluster config. */
  static final int KNATIVE_MAX_TIMEOUT_SECONDS = 600;

  /** The Service YAML, with a comment header explaining what it leaves out. */
  public String write(ServiceSpec spec, String image) {
    return Yaml.documents(header(spec), List.of(service(spec, image)));
  }

  /** What a person should know about this manifest, one sentence each. */
  List<String> notes(ServiceSpec spec) {
    List<String> notes = new ArrayList<>();
    int timeout = Quantities.seconds(spec.concurrency().requestTimeout(), 1);
    if (timeout > KNATIVE_MAX_TIMEOUT_SECONDS) {
      notes.add(
          "timeoutSeconds is "
              + timeout
              + ": Knative refuses more than "
              + KNATIVE_MAX_TIMEOUT_SECONDS
              + " unless the cluster raises max-revision-timeout-seconds (Cloud Run allows"
              + " 3600)");
    }
    spec.preStart()
        .ifPresent(
            step ->
                notes.add(
                    "the pre-start step `"
                        + step
                        + "` is not in the Knative Service: run it as a Job with the same image"
                        + " before each rollout"));
    return notes;
  }

  private static List<String> header(ServiceSpec spec) {
    List<String> paragraphs = new ArrayList<>();
    paragraphs.add(
        "Knative Service for \""
            + spec.name()
            + "\", written by Pylon from the same spec `pylon run` uses (`pylon export --to"
            + " knative`). The image is the one built from the Dockerfile `pylon build"
            + " --dockerfile` writes: its CMD starts the server, so the container here sets no"
            + " command. Knative sets PORT.");
    spec.preStart()
        .ifPresent(
            step -> {
              paragraphs.add("");
              paragraphs.add("Pre-start step (Procfile `release:`): " + step);
              paragraphs.add(
                  "It is not part of this Service. Run it once per release, before the new"
                      + " revision takes traffic, as a Job with the same image (Knative runs no"
                      + " initContainers unless the cluster enables"
                      + " kubernetes.podspec-init-containers).");
            });
    return paragraphs;
  }

  private static Map<String, Object> service(ServiceSpec spec, String image) {
    Map<String, Object> service = new LinkedHashMap<>();
    service.put("apiVersion", "serving.knative.dev/v1");
    service.put("kind", "Service");
    service.put("metadata", Map.of("name", spec.name()));

    Scaling scaling = spec.scaling();
    Map<String, Object> annotations = new LinkedHashMap<>();
    annotations.put("autoscaling.knative.dev/min-scale", Integer.toString(scaling.minInstances()));
    annotations.put("autoscaling.knative.dev/max-scale", Integer.toString(scaling.maxInstances()));
    annotations.put(
        "autoscaling.knative.dev/target", Quantities.plain(scaling.targetConcurrency()));
    annotations.put(
        "autoscaling.knative.dev/target-utilization-percentage",
        Integer.toString(Quantities.percent(scaling.targetUtilization())));

    Map<String, Object> container = new LinkedHashMap<>();
    // The name Knative gives a container that has none: the schema requires one, and
    // `kubectl logs -c user-container` keeps working as for any Knative Service.
    container.put("name", "user-container");
    container.put("image", image);
    Map<String, Object> port = new LinkedHashMap<>();
    if (spec.http2()) {
      port.put("name", "h2c"); // Knative then speaks HTTP/2 to the container, as Pylon does
    }
    port.put("containerPort", DockerfileWriter.PORT);
    container.put("ports", List.of(port));
    if (!spec.env().isEmpty()) {
      container.put("env", ContainerParts.env(spec.env()));
    }
    container.put("resources", Map.of("limits", ContainerParts.cpuAndMemory(spec)));
    Probes probes = spec.probes();
    if (!ContainerParts.isPylonDefault(probes.readiness())) {
      container.put("readinessProbe", ContainerParts.probe(probes.readiness(), true));
    }
    if (!ContainerParts.isPylonDefault(probes.liveness())) {
      container.put("livenessProbe", ContainerParts.probe(probes.liveness(), false));
    }

    Concurrency concurrency = spec.concurrency();
    Map<String, Object> podSpec = new LinkedHashMap<>();
    podSpec.put("containerConcurrency", concurrency.maxPerInstance());
    podSpec.put("timeoutSeconds", Quantities.seconds(concurrency.requestTimeout(), 1));
    podSpec.put("containers", List.of(container));

    Map<String, Object> template = new LinkedHashMap<>();
    template.put("metadata", Map.of("annotations", annotations));
    template.put("spec", podSpec);
    service.put("spec", Map.of("template", template));
    return service;
  }
}
