package dev.pylon.export;

import dev.pylon.spec.ServerCommand;
import dev.pylon.spec.ServiceSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hands a service to a container platform: the files to write for a Docker build, a Knative Service
 * or plain Kubernetes, made from the same {@link ServiceSpec} {@code pylon run} uses. Nothing is
 * written here; {@link ExportFiles#write} does that.
 */
public final class Exporter {
  /** The Dockerfile's file name. */
  public static final String DOCKERFILE = "Dockerfile";

  /** The build-context ignore file's name. */
  public static final String DOCKERIGNORE = ".dockerignore";

  /** Not {@code service.yaml}: Pylon reads that one as input when it sits in the app folder. */
  public static final String KNATIVE_FILE = "knative-service.yaml";

  /** The Deployment, Service and HorizontalPodAutoscaler, in one file. */
  public static final String KUBERNETES_FILE = "kubernetes.yaml";

  private final DockerfileWriter dockerfileWriter = new DockerfileWriter();
  private final KnativeServiceWriter knativeWriter = new KnativeServiceWriter();
  private final KubernetesWriter kubernetesWriter = new KubernetesWriter();

  /** An image reference that says what to put there, for when the user named none. */
  public static String imagePlaceholder(ServiceSpec spec) {
    return "REGISTRY/" + spec.name() + ":TAG";
  }

  /** {@value #DOCKERFILE} and {@value #DOCKERIGNORE}. */
  public ExportResult dockerfile(ServiceSpec spec) {
    Map<String, String> files = new LinkedHashMap<>();
    files.put(DOCKERFILE, dockerfileWriter.dockerfile(spec));
    files.put(DOCKERIGNORE, dockerfileWriter.dockerignore(spec));
    List<String> notes = new ArrayList<>(commonNotes(spec));
    if (spec.server().kind() == ServerCommand.Kind.BUILTIN) {
      notes.add(
          "the image runs the app with "
              + ContainerCommand.GUNICORN_REQUIREMENT
              + ", because Pylon's built-in worker is not in the image; add gunicorn to your"
              + " dependencies to choose its version yourself");
    }
    if (spec.server().kind() == ServerCommand.Kind.BUILTIN_ASGI) {
      notes.add(
          "the image runs the app with "
              + ContainerCommand.UVICORN_REQUIREMENT
              + ", because Pylon's built-in ASGI worker is not in the image; add uvicorn to your"
              + " dependencies to choose its version yourself");
    }
    spec.preStart()
        .ifPresent(
            step ->
                notes.add(
                    "the pre-start step `"
                        + step
                        + "` is not run by the image: run it as an init step (the Kubernetes"
                        + " export makes it an initContainer)"));
    return new ExportResult(files, notes);
  }

  /** {@value #KNATIVE_FILE}: a {@code serving.knative.dev/v1} Service running {@code image}. */
  public ExportResult knative(ServiceSpec spec, String image) {
    List<String> notes = new ArrayList<>(commonNotes(spec));
    notes.addAll(manifestNotes(spec));
    notes.addAll(knativeWriter.notes(spec));
    return new ExportResult(Map.of(KNATIVE_FILE, knativeWriter.write(spec, image)), notes);
  }

  /** {@value #KUBERNETES_FILE}: Deployment, Service and, when it may scale, an HPA. */
  public ExportResult kubernetes(ServiceSpec spec, String image) {
    List<String> notes = new ArrayList<>(commonNotes(spec));
    notes.addAll(manifestNotes(spec));
    notes.addAll(kubernetesWriter.notes(spec));
    return new ExportResult(Map.of(KUBERNETES_FILE, kubernetesWriter.write(spec, image)), notes);
  }

  /** What every export should say: an entrypoint bound to loopback serves nothing there. */
  private static List<String> commonNotes(ServiceSpec spec) {
    String command = spec.server().shellCommand();
    if (spec.server().kind() == ServerCommand.Kind.ENTRYPOINT
        && (command.contains("127.0.0.1") || command.contains("localhost"))) {
      return List.of(
          "the entrypoint listens on a loopback address, which nothing outside the container"
              + " reaches: bind to :$PORT or 0.0.0.0:$PORT instead");
    }
    return List.of();
  }

  /** Kubernetes accepts only 1 as a liveness probe's success threshold. */
  private static List<String> manifestNotes(ServiceSpec spec) {
    int success = spec.probes().liveness().successThreshold();
    if (success > 1) {
      return List.of(
          "the liveness check's success threshold "
              + success
              + " becomes 1: Kubernetes accepts no other value for liveness probes");
    }
    return List.of();
  }
}
