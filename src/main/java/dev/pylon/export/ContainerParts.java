package dev.pylon.export;

import dev.pylon.spec.Probe;
import dev.pylon.spec.ServiceSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The pieces of a container manifest that Knative and Kubernetes write alike. */
final class ContainerParts {
  private ContainerParts() {}

  /** Probes cannot run faster than this on Kubernetes. */
  private static final Duration ONE_SECOND = Duration.ofSeconds(1);

  /** {@code [{name, value}]} for each variable, in order. */
  static List<Map<String, Object>> env(Map<String, String> variables) {
    List<Map<String, Object>> env = new ArrayList<>();
    variables.forEach(
        (name, value) -> {
          Map<String, Object> entry = new LinkedHashMap<>();
          entry.put("name", name);
          entry.put("value", value);
          env.add(entry);
        });
    return env;
  }

  /** {@code {cpu, memory}}; memory only when the spec limits it. */
  static Map<String, Object> cpuAndMemory(ServiceSpec spec) {
    Map<String, Object> amounts = new LinkedHashMap<>();
    amounts.put("cpu", Quantities.cpu(spec.resources().cpu()));
    spec.resources().memoryMb().ifPresent(mb -> amounts.put("memory", Quantities.memory(mb)));
    return amounts;
  }

  /**
   * Whether a probe is Pylon's own "the port accepts a connection" check that stands in when
   * nothing configures one. It polls every 100 ms, which no cluster does; the manifests leave it to
   * the platform's defaults instead.
   */
  static boolean isPylonDefault(Probe probe) {
    return probe.httpPath().isEmpty() && probe.period().compareTo(ONE_SECOND) < 0;
  }

  /** What the probe does: {@code httpGet} of its path, or {@code tcpSocket}, on the port. */
  static Map<String, Object> handler(Probe probe, Map<String, Object> into) {
    Map<String, Object> action = new LinkedHashMap<>();
    probe.httpPath().ifPresent(path -> action.put("path", path));
    action.put("port", DockerfileWriter.PORT);
    into.put(probe.httpPath().isPresent() ? "httpGet" : "tcpSocket", action);
    return into;
  }

  /**
   * A Kubernetes probe. {@code successThreshold} is kept only for readiness: Kubernetes requires 1
   * for liveness and startup probes.
   */
  static Map<String, Object> probe(Probe probe, boolean readiness) {
    Map<String, Object> out = handler(probe, new LinkedHashMap<>());
    int delay = Quantities.seconds(probe.initialDelay(), 0);
    if (delay > 0) {
      out.put("initialDelaySeconds", delay);
    }
    out.put("periodSeconds", Quantities.seconds(probe.period(), 1));
    out.put("timeoutSeconds", Quantities.seconds(probe.timeout(), 1));
    out.put("failureThreshold", Math.max(1, probe.failureThreshold()));
    if (readiness) {
      out.put("successThreshold", Math.max(1, probe.successThreshold()));
    }
    return out;
  }

  /**
   * A startup probe that gives the instance the readiness probe's start timeout: the same check, as
   * many failures as fit in that time.
   */
  static Map<String, Object> startupProbe(Probe readiness) {
    Map<String, Object> out = handler(readiness, new LinkedHashMap<>());
    int period = Quantities.seconds(readiness.period(), 1);
    int start = Quantities.seconds(readiness.startTimeout(), 1);
    out.put("periodSeconds", period);
    out.put("timeoutSeconds", Quantities.seconds(readiness.timeout(), 1));
    out.put("failureThreshold", Math.max(1, (start + period - 1) / period));
    return out;
  }
}
