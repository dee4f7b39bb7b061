package dev.pylon.spec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a Knative {@code serving.knative.dev/v1} Service, as {@code gcloud run services describe
 * --format export} writes it. Unknown keys only warn here: exports carry many fields that mean
 * nothing on one machine.
 */
final class ServiceYamlReader {
  private static final Pattern QUANTITY =
      Pattern.compile("(\\d+(?:\\.\\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T|m)?");
  private static final Set<String> TOP = Set.of("apiVersion", "kind", "metadata", "spec", "status");
  private static final Map<String, String> TOP_IGNORED = Map.of();
  // Fields the cluster sets are read and ignored without a word: every export has them.
  private static final Set<String> METADATA =
      Set.of(
          "name",
          "annotations",
          "labels",
          "namespace",
          "uid",
          "resourceVersion",
          "generation",
          "creationTimestamp",
          "selfLink");
  private static final Map<String, String> METADATA_IGNORED = Map.of();
  private static final Set<String> SERVICE_SPEC = Set.of("template");
  private static final Map<String, String> SERVICE_SPEC_IGNORED =
      Map.of("traffic", "traffic is split with `pylon traffic` between revisions Pylon made");
  private static final Set<String> TEMPLATE = Set.of("metadata", "spec");
  private static final Set<String> TEMPLATE_SPEC =
      Set.of("containerConcurrency", "timeoutSeconds", "containers");
  private static final Map<String, String> TEMPLATE_SPEC_IGNORED =
      Map.of(
          "serviceAccountName", "there are no cloud credentials to assume here",
          "volumes", "instances share this machine's file system",
          "nodeSelector", "there is one machine",
          "runtimeClassName", "there is no container runtime here");
  private static final Set<String> CONTAINER =
      Set.of(
          "command",
          "args",
          "env",
          "resources",
          "readinessProbe",
          "livenessProbe",
          "startupProbe",
          "ports",
          "image",
          "name");
  private static final Map<String, String> CONTAINER_IGNORED =
      Map.of(
          "volumeMounts", "instances share this machine's file system",
          "workingDir", "instances run in the revision's source folder",
          "securityContext", "use Pylon's sandbox option instead");
  private static final Set<String> PROBE =
      Set.of(
          "httpGet",
          "tcpSocket",
          "grpc",
          "initialDelaySeconds",
          "periodSeconds",
          "timeoutSeconds",
          "failureThreshold",
          "successThreshold");

  /** What service.yaml says; empty facets when it says nothing of them. */
  record ServiceYaml(
      Path file,
      Optional<Located<String>> name,
      Optional<Located<String>> entrypoint,
      Map<String, String> env,
      OptionalInt minScale,
      Optional<Origin> minScaleAt,
      OptionalInt maxScale,
      OptionalDouble target,
      OptionalDouble targetUtilization,
      OptionalInt containerConcurrency,
      Optional<Duration> timeout,
      OptionalDouble cpu,
      OptionalLong memoryMb,
      Optional<Probe> readiness,
      Optional<Probe> liveness,
      Optional<Duration> startTimeout,
      Optional<Origin> http2,
      boolean ignored,
      List<SpecProblem> errors,
      List<SpecProblem> warnings) {}

  private final YamlReader yaml = new YamlReader();

  ServiceYaml read(Path file) {
    return new Reading(file).read();
  }

  private final class Reading {
    final Path file;
    final String fileName;
    final List<SpecProblem> errors = new ArrayList<>();
    final List<SpecProblem> warnings = new ArrayList<>();
    final YamlFields fields = new YamlFields(errors);
    final KeyCheck keys = new KeyCheck(errors, warnings);
    Optional<Located<String>> name = Optional.empty();
    Optional<Located<String>> entrypoint = Optional.empty();
    final Map<String, String> env = new LinkedHashMap<>();
    OptionalInt minScale = OptionalInt.empty();
    Optional<Origin> minScaleAt = Optional.empty();
    OptionalInt maxScale = OptionalInt.empty();
    OptionalDouble target = OptionalDouble.empty();
    OptionalDouble utilization = OptionalDouble.empty();
    OptionalInt containerConcurrency = OptionalInt.empty();
    Optional<Duration> timeout = Optional.empty();
    OptionalDouble cpu = OptionalDouble.empty();
    OptionalLong memoryMb = OptionalLong.empty();
    Optional<Probe> readiness = Optional.empty();
    Optional<Probe> liveness = Optional.empty();
    Optional<Duration> startTimeout = Optional.empty();
    Optional<Origin> http2 = Optional.empty();
    boolean ignored;

    Reading(Path file) {
      this.file = file;
      this.fileName = file.getFileName().toString();
    }

    ServiceYaml result() {
      return new ServiceYaml(
          file,
          name,
          entrypoint,
          env,
          minScale,
          minScaleAt,
          maxScale,
          target,
          utilization,
          containerConcurrency,
          timeout,
          cpu,
          memoryMb,
          readiness,
          liveness,
          startTimeout,
          http2,
          ignored,
          List.copyOf(errors),
          List.copyOf(warnings));
    }

    ServiceYaml read() {
      Optional<YamlReader.TopMapping> top =
          yaml.readMapping(
              file,
              errors,
              fileName + " must be a Knative Service",
              "export it with `gcloud run services describe SERVICE --format export`");
      if (top.isEmpty()) {
        return result();
      }
      SourceText source = top.get().source();
      YamlNode.Mapping root = top.get().root();
      Optional<YamlNode.Entry> api = root.entry("apiVersion");
      Optional<YamlNode.Entry> kind = root.entry("kind");
      String apiVersion = api.flatMap(fields::string).orElse("");
      String kindText = kind.flatMap(fields::string).orElse("");
      if (!apiVersion.isEmpty() && !apiVersion.startsWith("serving.knative.dev/")) {
        // A plain Kubernetes Service, a Deployment, a Skaffold file: a service.yaml that is
        // clearly for something else says nothing about how Pylon runs the app.
        ignored = true;
        warnings.add(
            api.map(YamlNode.Entry::keyOrigin)
                .orElse(source.whole())
                .problem(
                    fileName
                        + " is not a Knative Service (apiVersion `"
                        + apiVersion
                        + "`, kind `"
                        + kindText
                        + "`), so Pylon ignores it",
                    "only a Knative Service (apiVersion: serving.knative.dev/v1, kind: Service)"
                        + " configures the service; rename this file if it is for another tool"));
        return result();
      }
      keys.check(root, "", TOP, TOP_IGNORED, Map.of(), false);
      if (!apiVersion.equals("serving.knative.dev/v1") || !kindText.equals("Service")) {
        Origin at = api.map(YamlNode.Entry::keyOrigin).orElse(source.whole());
        errors.add(
            at.problem(
                fileName
                    + " must be a Knative Service (apiVersion: serving.knative.dev/v1, kind:"
                    + " Service), got apiVersion `"
                    + apiVersion
                    + "`, kind `"
                    + kindText
                    + "`",
                "export it with `gcloud run services describe SERVICE --format export`"));
        return result();
      }
      root.entry("metadata")
          .flatMap(fields::mapping)
          .ifPresent(
              m -> {
                keys.check(m, "metadata", METADATA, METADATA_IGNORED, Map.of(), false);
                m.entry("name")
                    .ifPresent(
                        n ->
                            name = fields.string(n).map(v -> new Located<>(v, n.value().origin())));
                m.entry("annotations").flatMap(fields::mapping).ifPresent(this::annotations);
              });
      Optional<YamlNode.Mapping> spec = root.entry("spec").flatMap(fields::mapping);
      if (spec.isEmpty()) {
        return result();
      }
      keys.check(spec.get(), "spec", SERVICE_SPEC, SERVICE_SPEC_IGNORED, Map.of(), false);
      Optional<YamlNode.Mapping> template = spec.get().entry("template").flatMap(fields::mapping);
      if (template.isEmpty()) {
        return result();
      }
      keys.check(template.get(), "spec.template", TEMPLATE, Map.of(), Map.of(), false);
      template
          .get()
          .entry("metadata")
          .flatMap(fields::mapping)
          .ifPresent(
              m -> m.entry("annotations").flatMap(fields::mapping).ifPresent(this::annotations));
      Optional<YamlNode.Mapping> podSpec = template.get().entry("spec").flatMap(fields::mapping);
      if (podSpec.isEmpty()) {
        return result();
      }
      keys.check(
          podSpec.get(),
          "spec.template.spec",
          TEMPLATE_SPEC,
          TEMPLATE_SPEC_IGNORED,
          Map.of(),
          false);
      podSpec
          .get()
          .entry("containerConcurrency")
          .ifPresent(e -> containerConcurrency = fields.integer(e, 0, 1000)); // Cloud Run's limits
      podSpec
          .get()
          .entry("timeoutSeconds")
          .ifPresent(
              e -> {
                OptionalInt t = fields.integer(e, 1, 3600);
                if (t.isPresent()) {
                  timeout = Optional.of(Duration.ofSeconds(t.getAsInt()));
                }
              });
      podSpec.get().entry("containers").ifPresent(this::containers);
      return result();
    }

    void annotations(YamlNode.Mapping annotations) {
      for (YamlNode.Entry a : annotations.entries().values()) {
        switch (a.key()) {
          case "autoscaling.knative.dev/min-scale",
              "autoscaling.knative.dev/minScale",
              "run.googleapis.com/minScale" -> {
            minScale = fields.integer(a, 0);
            minScaleAt = Optional.of(a.value().origin());
          }
          case "autoscaling.knative.dev/max-scale",
              "autoscaling.knative.dev/maxScale",
              "run.googleapis.com/maxScale" ->
              maxScale = fields.integer(a, 0);
          case "autoscaling.knative.dev/target" -> target = fields.number(a, 0.01, 1_000_000);
          case "autoscaling.knative.dev/target-utilization-percentage" -> {
            OptionalDouble p = fields.number(a, 1, 100);
            if (p.isPresent()) {
              utilization = OptionalDouble.of(p.getAsDouble() / 100);
            }
          }
          default -> {
            if (a.key().startsWith("autoscaling.knative.dev/")) {
              warnings.add(
                  a.keyOrigin()
                      .problem(
                          "annotation `" + a.key() + "` has no effect in Pylon",
                          "Pylon reads min-scale, max-scale, target and target-utilization-percentage"));
            }
          }
        }
      }
    }

    void containers(YamlNode.Entry e) {
      if (!(e.value() instanceof YamlNode.Sequence list) || list.items().isEmpty()) {
        fields.wrongType(e, "a list with one container");
        return;
      }
      if (list.items().size() > 1) {
        warnings.add(
            list.items()
                .get(1)
                .origin()
                .problem(
                    "Pylon runs one container per instance; the sidecars after the first are ignored",
                    "run sidecars as their own services"));
      }
      if (!(list.items().get(0) instanceof YamlNode.Mapping c)) {
        errors.add(
            list.items()
                .get(0)
                .origin()
                .problem(
                    "a container must be a mapping, got " + list.items().get(0).describe(), ""));
        return;
      }
      keys.check(c, "the container", CONTAINER, CONTAINER_IGNORED, Map.of(), false);
      List<String> command = c.entry("command").map(this::strings).orElse(List.of());
      List<String> args = c.entry("args").map(this::strings).orElse(List.of());
      if (!command.isEmpty()) {
        List<String> all = new ArrayList<>(command);
        all.addAll(args);
        String shell = String.join(" ", all.stream().map(ServiceYamlReader::shellWord).toList());
        entrypoint =
            Optional.of(new Located<>(shell, c.entry("command").orElseThrow().value().origin()));
      } else if (!args.isEmpty()) {
        warnings.add(
            c.entry("args")
                .orElseThrow()
                .keyOrigin()
                .problem(
                    "`args` without `command` adds to the image's entrypoint, and there is no image here; ignored",
                    "give the whole command in `command`"));
      }
      c.entry("env").ifPresent(this::env);
      c.entry("ports").ifPresent(this::ports);
      c.entry("resources")
          .flatMap(fields::mapping)
          .ifPresent(
              r -> {
                keys.check(r, "resources", Set.of("limits", "requests"), Map.of(), Map.of(), false);
                r.entry("limits")
                    .flatMap(fields::mapping)
                    .ifPresent(
                        l -> {
                          keys.check(
                              l,
                              "resources.limits",
                              Set.of("cpu", "memory"),
                              Map.of("nvidia.com/gpu", "there is no GPU scheduling here"),
                              Map.of(),
                              false);
                          l.entry("cpu")
                              .ifPresent(
                                  x ->
                                      quantity(x, false)
                                          .ifPresent(v -> cpu = OptionalDouble.of(v)));
                          l.entry("memory")
                              .ifPresent(
                                  x ->
                                      quantity(x, true)
                                          .ifPresent(
                                              v ->
                                                  memoryMb =
                                                      OptionalLong.of(
                                                          Math.round(v / (1024 * 1024)))));
                        });
              });
      c.entry("readinessProbe").ifPresent(p -> readiness = probe(p, Defaults.STARTUP_TIMEOUT));
      c.entry("livenessProbe").ifPresent(p -> liveness = probe(p, Defaults.STARTUP_TIMEOUT));
      c.entry("startupProbe")
          .ifPresent(
              p ->
                  probe(p, Defaults.STARTUP_TIMEOUT)
                      .ifPresent(
                          s ->
                              startTimeout =
                                  Optional.of(
                                      s.initialDelay()
                                          .plus(s.period().multipliedBy(s.failureThreshold())))));
    }

    /**
     * Cloud Run reads only the port's name: {@code h2c} asks for end-to-end HTTP/2 (the instance
     * speaks HTTP/2 without TLS), {@code http1} (the default) for HTTP/1.1. The number is where the
     * container listens; Pylon always passes it as $PORT, so it is not read.
     */
    void ports(YamlNode.Entry e) {
      if (!(e.value() instanceof YamlNode.Sequence list)) {
        fields.wrongType(e, "a list with one port");
        return;
      }
      if (list.items().size() > 1) {
        errors.add(
            list.items()
                .get(1)
                .origin()
                .problem(
                    "a container may expose only one port",
                    "keep one `- name: http1` (or `h2c`) port"));
      }
      if (list.items().isEmpty() || !(list.items().get(0) instanceof YamlNode.Mapping port)) {
        return;
      }
      keys.check(
          port, "the port", Set.of("name", "containerPort", "protocol"), Map.of(), Map.of(), false);
      port.entry("name")
          .ifPresent(
              n ->
                  fields
                      .string(n)
                      .ifPresent(
                          name -> {
                            switch (name) {
                              case "h2c" -> http2 = Optional.of(n.value().origin());
                              case "http1" -> {}
                              default ->
                                  errors.add(
                                      n.value()
                                          .origin()
                                          .problem(
                                              "port name `"
                                                  + name
                                                  + "` is neither `http1` nor `h2c`",
                                              "write `name: http1` for HTTP/1.1, or `name: h2c`"
                                                  + " when the app serves HTTP/2 without TLS"));
                            }
                          }));
    }

    List<String> strings(YamlNode.Entry e) {
      if (!(e.value() instanceof YamlNode.Sequence s)) {
        fields.wrongType(e, "a list of strings");
        return List.of();
      }
      List<String> out = new ArrayList<>();
      for (YamlNode item : s.items()) {
        if (item instanceof YamlNode.Scalar sc && sc.type() != YamlNode.Scalar.Type.NULL) {
          // Kubernetes writes $(PORT) where a shell writes $PORT.
          out.add(sc.text().replace("$(PORT)", "$PORT"));
        } else {
          errors.add(
              item.origin()
                  .problem("`" + e.key() + "` items must be strings, got " + item.describe(), ""));
        }
      }
      return out;
    }

    void env(YamlNode.Entry e) {
      if (!(e.value() instanceof YamlNode.Sequence s)) {
        fields.wrongType(e, "a list of {name, value}");
        return;
      }
      for (YamlNode item : s.items()) {
        if (!(item instanceof YamlNode.Mapping m)) {
          errors.add(
              item.origin()
                  .problem(
                      "env items must be mappings with name and value, got " + item.describe(),
                      "write `- name: KEY` and `value: \"...\"`"));
          continue;
        }
        Optional<String> n = m.entry("name").flatMap(fields::string);
        if (n.isEmpty()) {
          if (m.entry("name").isEmpty()) {
            errors.add(m.origin().problem("env item without a name", "add `name: KEY`"));
          }
          continue;
        }
        if (ReservedEnv.isReserved(n.get())) {
          errors.add(
              m.entry("name")
                  .orElseThrow()
                  .value()
                  .origin()
                  .problem(
                      "`"
                          + n.get()
                          + "` is set by Pylon for every instance and cannot be overridden",
                      "use another name"));
          continue;
        }
        if (m.entry("valueFrom").isPresent()) {
          warnings.add(
              m.entry("valueFrom")
                  .orElseThrow()
                  .keyOrigin()
                  .problem(
                      "`"
                          + n.get()
                          + "` comes from a secret or config map, which Pylon cannot read; it is not set",
                      "set it with `pylon env set " + n.get() + "=...`"));
          continue;
        }
        env.put(
            n.get(),
            m.entry("value")
                .flatMap(
                    v ->
                        v.value() instanceof YamlNode.Scalar sc
                            ? Optional.of(sc.text())
                            : Optional.empty())
                .orElse(""));
      }
    }

    /** A Kubernetes quantity: bytes for memory, cores for cpu. */
    OptionalDouble quantity(YamlNode.Entry e, boolean memory) {
      if (!(e.value() instanceof YamlNode.Scalar s)) {
        fields.wrongType(e, "a quantity such as 512Mi or 1000m");
        return OptionalDouble.empty();
      }
      Matcher m = QUANTITY.matcher(s.text().strip());
      if (!m.matches()) {
        errors.add(
            e.value()
                .origin()
                .problem(
                    "`"
                        + e.key()
                        + "` must be a quantity such as "
                        + (memory ? "512Mi or 2Gi" : "1 or 1000m")
                        + ", got "
                        + s.describe(),
                    ""));
        return OptionalDouble.empty();
      }
      double n = Double.parseDouble(m.group(1));
      String unit = m.group(2) == null ? "" : m.group(2);
      double factor =
          switch (unit) {
            case "Ki" -> 1024;
            case "Mi" -> 1024 * 1024;
            case "Gi" -> 1024.0 * 1024 * 1024;
            case "Ti" -> 1024.0 * 1024 * 1024 * 1024;
            case "k" -> 1e3;
            case "M" -> 1e6;
            case "G" -> 1e9;
            case "T" -> 1e12;
            case "m" -> 1e-3;
            default -> 1;
          };
      return OptionalDouble.of(n * factor);
    }

    Optional<Probe> probe(YamlNode.Entry e, Duration startTimeout) {
      Optional<YamlNode.Mapping> m = fields.mapping(e);
      if (m.isEmpty()) {
        return Optional.empty();
      }
      YamlNode.Mapping p = m.get();
      keys.check(p, e.key(), PROBE, Map.of(), Map.of(), false);
      Optional<String> path = Optional.empty();
      Optional<YamlNode.Mapping> http = p.entry("httpGet").flatMap(fields::mapping);
      if (http.isPresent()) {
        path = Optional.of(http.get().entry("path").flatMap(fields::string).orElse("/"));
      }
      if (p.entry("grpc").isPresent()) {
        warnings.add(
            p.entry("grpc")
                .orElseThrow()
                .keyOrigin()
                .problem(
                    "gRPC probes are not supported; Pylon checks that the port accepts connections",
                    "use httpGet or tcpSocket"));
      }
      // Kubernetes defaults: period 10 s, timeout 1 s, failure 3, success 1.
      int delay = intOr(p, "initialDelaySeconds", 0, 0);
      int period = intOr(p, "periodSeconds", 1, 10);
      int timeoutSec = intOr(p, "timeoutSeconds", 1, 1);
      int failures = intOr(p, "failureThreshold", 1, 3);
      int successes = intOr(p, "successThreshold", 1, 1);
      return Optional.of(
          new Probe(
              path,
              Duration.ofSeconds(delay),
              Duration.ofSeconds(period),
              Duration.ofSeconds(timeoutSec),
              failures,
              successes,
              startTimeout,
              fileName
                  + " "
                  + e.key()
                  + " (line "
                  + e.keyOrigin().line()
                  + "), Kubernetes defaults for what it leaves out"));
    }

    int intOr(YamlNode.Mapping m, String key, int min, int fallback) {
      return m.entry(key)
          .map(x -> fields.integer(x, min))
          .orElse(OptionalInt.empty())
          .orElse(fallback);
    }
  }

  /** A word as a POSIX shell reads it: quoted when it holds anything but safe characters. */
  static String shellWord(String word) {
    if (!word.isEmpty() && word.matches("[A-Za-z0-9_@%+=:,./$-]+")) {
      return word;
    }
    // Double quotes keep $PORT expandable; escape what double quotes would interpret.
    return "\"" + word.replace("\\", "\\\\").replace("\"", "\\\"").replace("`", "\\`") + "\"";
  }
}
