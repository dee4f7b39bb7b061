package dev.pylon.export;

import dev.pylon.spec.Probes;
import dev.pylon.spec.Scaling;
import dev.pylon.spec.ServiceSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Plain Kubernetes manifests for a service: a Deployment (with the pre-start step as an
 * initContainer), a Service, and a {@code autoscaling/v2} HorizontalPodAutoscaler when the instance
 * count may vary. Pure: the spec and an image in, multi-document YAML out.
 */
public final class KubernetesWriter {
  /** The label that ties the Deployment, its pods, the Service and the HPA together. */
  static final String NAME_LABEL = "app.kubernetes.io/name";

  /** The port the Service answers on; it forwards to the container's 8080. */
  static final int SERVICE_PORT = 80;

  /** The manifests, separated by {@code ---}, with a comment header. */
  public String write(ServiceSpec spec, String image) {
    List<Object> documents = new ArrayList<>();
    documents.add(deployment(spec, image));
    documents.add(service(spec));
    if (autoscaled(spec)) {
      documents.add(autoscaler(spec));
    }
    return Yaml.documents(header(spec), documents);
  }

  /** What a person should know about these manifests, one sentence each. */
  List<String> notes(ServiceSpec spec) {
    List<String> notes = new ArrayList<>();
    if (autoscaled(spec) && spec.scaling().minInstances() == 0) {
      notes.add(
          "a HorizontalPodAutoscaler cannot scale to zero, so minReplicas is 1; export with --to"
              + " knative to keep scale to zero");
    }
    if (autoscaled(spec)) {
      notes.add(
          "the HorizontalPodAutoscaler scales on CPU at "
              + cpuTarget(spec)
              + "% of the request; Pylon scales on requests in flight, which Kubernetes"
              + " measures only with a custom metrics adapter");
    }
    return notes;
  }

  private static boolean autoscaled(ServiceSpec spec) {
    return spec.scaling().minInstances() != spec.scaling().maxInstances();
  }

  /** app.yaml's {@code cpu_utilization.target_utilization}, or Pylon's target utilization. */
  private static int cpuTarget(ServiceSpec spec) {
    return Quantities.percent(spec.scaling().targetUtilization());
  }

  private static List<String> header(ServiceSpec spec) {
    List<String> paragraphs = new ArrayList<>();
    paragraphs.add(
        "Kubernetes manifests for \""
            + spec.name()
            + "\", written by Pylon from the same spec `pylon run` uses (`pylon export --to"
            + " kubernetes`). The image is the one built from the Dockerfile `pylon build"
            + " --dockerfile` writes: its CMD starts the server.");
    if (autoscaled(spec)) {
      paragraphs.add("");
      paragraphs.add(
          "The HorizontalPodAutoscaler targets "
              + cpuTarget(spec)
              + "% CPU"
              + (spec.fromAppYaml()
                  ? " (app.yaml automatic_scaling.cpu_utilization)."
                  : " (Pylon's target utilization).")
              + " Pylon itself scales on requests in flight, which Kubernetes sees only through"
              + " a custom metrics adapter."
              + (spec.scaling().minInstances() == 0
                  ? " minReplicas is 1: a HorizontalPodAutoscaler cannot scale to zero (the"
                      + " Knative export can)."
                  : ""));
    }
    if (spec.preStart().isPresent()) {
      paragraphs.add("");
      paragraphs.add(
          "The pre-start step (Procfile `release:`) runs as the initContainer \"release\""
              + " before each pod's server starts (seed 002). Every pod runs it, so it must be"
              + " safe to repeat and to run at once in several pods; for exactly one run per"
              + " release, move it to a Job.");
    }
    return paragraphs;
  }

  private static Map<String, Object> labels(ServiceSpec spec) {
    return Map.of(NAME_LABEL, spec.name());
  }

  private static Map<String, Object> metadata(ServiceSpec spec) {
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("name", spec.name());
    metadata.put("labels", labels(spec));
    return metadata;
  }

  private static Map<String, Object> deployment(ServiceSpec spec, String image) {
    Map<String, Object> resources = new LinkedHashMap<>();
    resources.put("requests", ContainerParts.cpuAndMemory(spec));
    resources.put("limits", ContainerParts.cpuAndMemory(spec));

    Map<String, String> env = new LinkedHashMap<>();
    env.put("PORT", Integer.toString(DockerfileWriter.PORT));
    env.put("K_SERVICE", spec.name());
    env.putAll(spec.env());

    Map<String, Object> container = new LinkedHashMap<>();
    container.put("name", "app");
    container.put("image", image);
    Map<String, Object> port = new LinkedHashMap<>();
    port.put("name", "http");
    port.put("containerPort", DockerfileWriter.PORT);
    container.put("ports", List.of(port));
    container.put("env", ContainerParts.env(env));
    container.put("resources", resources);
    Probes probes = spec.probes();
    container.put("startupProbe", ContainerParts.startupProbe(probes.readiness()));
    container.put("readinessProbe", ContainerParts.probe(probes.readiness(), true));
    if (!ContainerParts.isPylonDefault(probes.liveness())) {
      container.put("livenessProbe", ContainerParts.probe(probes.liveness(), false));
    }
    container.put("securityContext", securityContext());

    Map<String, Object> podSpec = new LinkedHashMap<>();
    spec.preStart()
        .ifPresent(
            step -> {
              Map<String, Object> init = new LinkedHashMap<>();
              init.put("name", "release");
              init.put("image", image);
              init.put("command", List.of("sh", "-c", step));
              init.put("env", ContainerParts.env(env));
              init.put("resources", resources);
              init.put("securityContext", securityContext());
              podSpec.put("initContainers", List.of(init));
            });
    podSpec.put("containers", List.of(container));

    Map<String, Object> template = new LinkedHashMap<>();
    template.put("metadata", Map.of("labels", labels(spec)));
    template.put("spec", podSpec);

    Map<String, Object> deploymentSpec = new LinkedHashMap<>();
    if (!autoscaled(spec)) {
      deploymentSpec.put("replicas", Math.max(1, spec.scaling().minInstances()));
    }
    deploymentSpec.put("selector", Map.of("matchLabels", labels(spec)));
    // A new pod must be ready before an old one goes: no request finds no instance (Pylon's
    // rollouts move traffic only to ready revisions).
    Map<String, Object> rolling = new LinkedHashMap<>();
    rolling.put("maxUnavailable", 0);
    rolling.put("maxSurge", 1);
    Map<String, Object> strategy = new LinkedHashMap<>();
    strategy.put("type", "RollingUpdate");
    strategy.put("rollingUpdate", rolling);
    deploymentSpec.put("strategy", strategy);
    deploymentSpec.put("template", template);

    Map<String, Object> deployment = new LinkedHashMap<>();
    deployment.put("apiVersion", "apps/v1");
    deployment.put("kind", "Deployment");
    deployment.put("metadata", metadata(spec));
    deployment.put("spec", deploymentSpec);
    return deployment;
  }

  private static Map<String, Object> securityContext() {
    Map<String, Object> context = new LinkedHashMap<>();
    context.put("runAsNonRoot", true);
    context.put("allowPrivilegeEscalation", false);
    return context;
  }

  private static Map<String, Object> service(ServiceSpec spec) {
    Map<String, Object> port = new LinkedHashMap<>();
    port.put("name", "http");
    port.put("port", SERVICE_PORT);
    port.put("targetPort", "http");
    if (spec.http2()) {
      // tells ingress controllers and meshes to speak HTTP/2 without TLS to the pods
      port.put("appProtocol", "kubernetes.io/h2c");
    }
    Map<String, Object> serviceSpec = new LinkedHashMap<>();
    serviceSpec.put("selector", labels(spec));
    serviceSpec.put("ports", List.of(port));
    Map<String, Object> service = new LinkedHashMap<>();
    service.put("apiVersion", "v1");
    service.put("kind", "Service");
    service.put("metadata", metadata(spec));
    service.put("spec", serviceSpec);
    return service;
  }

  private static Map<String, Object> autoscaler(ServiceSpec spec) {
    Scaling scaling = spec.scaling();
    Map<String, Object> target = new LinkedHashMap<>();
    target.put("apiVersion", "apps/v1");
    target.put("kind", "Deployment");
    target.put("name", spec.name());
    Map<String, Object> utilization = new LinkedHashMap<>();
    utilization.put("type", "Utilization");
    utilization.put("averageUtilization", cpuTarget(spec));
    Map<String, Object> resource = new LinkedHashMap<>();
    resource.put("name", "cpu");
    resource.put("target", utilization);
    Map<String, Object> metric = new LinkedHashMap<>();
    metric.put("type", "Resource");
    metric.put("resource", resource);
    Map<String, Object> hpaSpec = new LinkedHashMap<>();
    hpaSpec.put("scaleTargetRef", target);
    hpaSpec.put("minReplicas", Math.max(1, scaling.minInstances()));
    hpaSpec.put("maxReplicas", Math.max(1, scaling.maxInstances()));
    hpaSpec.put("metrics", List.of(metric));
    Map<String, Object> hpa = new LinkedHashMap<>();
    hpa.put("apiVersion", "autoscaling/v2");
    hpa.put("kind", "HorizontalPodAutoscaler");
    hpa.put("metadata", metadata(spec));
    hpa.put("spec", hpaSpec);
    return hpa;
  }
}
