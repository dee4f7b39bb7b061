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
import java.util.regex.Pattern;

/**
 * Reads an App Engine flexible {@code app.yaml} (the keys of its reference page), with App Engine's
 * documented defaults from {@link Defaults}.
 */
final class AppYamlReader {
  private static final Pattern SERVICE_NAME =
      Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  /** What app.yaml says, each facet empty when the file says nothing of it. */
  record AppYaml(
      Path file,
      Optional<Located<String>> service,
      Optional<Located<String>> entrypoint,
      Optional<PythonRequest> python,
      Optional<LegacyPythonVersion> legacyPython,
      Map<String, String> env,
      Scaling scaling,
      OptionalInt manualInstances,
      Resources resources,
      Optional<Probe> readiness,
      Optional<Probe> liveness,
      Optional<Origin> customRuntime,
      List<SpecProblem> errors,
      List<SpecProblem> warnings) {}

  private final YamlReader yaml = new YamlReader();

  AppYaml read(Path file) {
    return new Reading(file).read();
  }

  /** The state of reading one file. */
  private final class Reading {
    final Path file;
    final List<SpecProblem> errors = new ArrayList<>();
    final List<SpecProblem> warnings = new ArrayList<>();
    final YamlFields fields = new YamlFields(errors);
    final KeyCheck keys = new KeyCheck(errors, warnings);
    final String name;
    final AppYamlProbes probes;
    Optional<Located<String>> service = Optional.empty();
    Optional<Located<String>> entrypoint = Optional.empty();
    Optional<PythonRequest> python = Optional.empty();
    Optional<LegacyPythonVersion> legacyPython = Optional.empty();
    final Map<String, String> env = new LinkedHashMap<>();
    Scaling scaling;
    OptionalInt manualInstances = OptionalInt.empty();
    Resources resources;
    Optional<Probe> readiness = Optional.empty();
    Optional<Probe> liveness = Optional.empty();
    Optional<Origin> customRuntime = Optional.empty();

    Reading(Path file) {
      this.file = file;
      this.name = file.getFileName().toString();
      this.probes = new AppYamlProbes(name, errors, warnings, fields, keys);
      this.scaling =
          new Scaling(
              Defaults.GAE_MIN_INSTANCES,
              Defaults.GAE_MAX_INSTANCES,
              Defaults.CLOUD_RUN_CONCURRENCY,
              Defaults.GAE_TARGET_UTILIZATION,
              Defaults.GAE_COOL_DOWN,
              "App Engine flexible defaults (" + name + " has no automatic_scaling)");
      this.resources =
          new Resources(
              Defaults.GAE_CPU,
              OptionalLong.of(Defaults.GAE_MEMORY_MB),
              Defaults.GAE_DISK_GB,
              "App Engine flexible defaults (" + name + " has no resources)");
    }

    AppYaml read() {
      Optional<YamlReader.TopMapping> top =
          yaml.readMapping(
              file,
              errors,
              name + " must be a mapping of keys",
              "start with `runtime: python` and `env: flex`");
      if (top.isEmpty()) {
        return result();
      }
      SourceText source = top.get().source();
      YamlNode.Mapping root = top.get().root();
      keys.check(root, "", AppYamlKeys.TOP, AppYamlKeys.TOP_IGNORED, AppYamlKeys.TOP_FOREIGN, true);
      runtime(root, source);
      root.entry("service").ifPresent(this::service);
      root.entry("entrypoint")
          .ifPresent(
              e -> entrypoint = fields.string(e).map(v -> new Located<>(v, e.value().origin())));
      root.entry("env_variables").ifPresent(this::envVariables);
      root.entry("runtime_config").flatMap(fields::mapping).ifPresent(this::runtimeConfig);
      Optional<YamlNode.Entry> automatic = root.entry("automatic_scaling");
      Optional<YamlNode.Entry> manual = root.entry("manual_scaling");
      if (automatic.isPresent() && manual.isPresent()) {
        errors.add(
            manual
                .get()
                .keyOrigin()
                .problem(
                    "both automatic_scaling (line "
                        + automatic.get().keyOrigin().line()
                        + ") and manual_scaling are given",
                    "keep one: automatic_scaling lets Pylon vary the instance count,"
                        + " manual_scaling fixes it"));
      } else {
        automatic.ifPresent(this::automaticScaling);
        manual.ifPresent(this::manualScaling);
      }
      root.entry("resources").ifPresent(this::resources);
      root.entry("readiness_check").ifPresent(e -> readiness = probes.probe(e, false));
      root.entry("liveness_check").ifPresent(e -> liveness = probes.probe(e, true));
      root.entry("network")
          .flatMap(fields::mapping)
          .ifPresent(
              m ->
                  keys.check(
                      m,
                      "network",
                      AppYamlKeys.NETWORK,
                      AppYamlKeys.NETWORK_IGNORED,
                      Map.of(),
                      true));
      return result();
    }

    AppYaml result() {
      return new AppYaml(
          file,
          service,
          entrypoint,
          python,
          legacyPython,
          env,
          scaling,
          manualInstances,
          resources,
          readiness,
          liveness,
          customRuntime,
          List.copyOf(errors),
          List.copyOf(warnings));
    }

    void runtime(YamlNode.Mapping root, SourceText source) {
      Optional<YamlNode.Entry> runtime = root.entry("runtime");
      if (runtime.isEmpty()) {
        warnings.add(
            source
                .whole()
                .problem(
                    "there is no `runtime:`; App Engine requires it", "add `runtime: python`"));
      } else {
        fields
            .string(runtime.get())
            .ifPresent(
                r -> {
                  if (r.equals("custom")) {
                    // App Engine builds the folder's Dockerfile; the loader reads it and says
                    // when there is none Pylon can follow.
                    customRuntime = Optional.of(runtime.get().value().origin());
                  } else if (!r.equals("python")) {
                    String hint =
                        r.startsWith("python")
                            ? "write `runtime: python` and put the version in runtime_config:"
                                + " runtime_version: \""
                                + r.substring(6).replaceAll("^(\\d)(\\d+)$", "$1.$2")
                                + "\""
                            : "Pylon runs Python apps: write `runtime: python`";
                    errors.add(
                        runtime
                            .get()
                            .value()
                            .origin()
                            .problem("runtime must be `python`, got `" + r + "`", hint));
                  }
                });
      }
      Optional<YamlNode.Entry> env = root.entry("env");
      if (env.isEmpty()) {
        warnings.add(
            source
                .whole()
                .problem(
                    "there is no `env: flex`; App Engine would deploy this to the standard"
                        + " environment",
                    "add `env: flex`; Pylon runs the service the flexible way either way"));
      } else {
        fields
            .string(env.get())
            .ifPresent(
                v -> {
                  if (v.equals("standard")) {
                    warnings.add(
                        env.get()
                            .value()
                            .origin()
                            .problem(
                                "env: standard; Pylon runs the service the flexible way (one"
                                    + " server process per instance on $PORT)",
                                "use `env: flex` to say what Pylon does"));
                  } else if (!v.equals("flex") && !v.equals("flexible")) {
                    errors.add(
                        env.get()
                            .value()
                            .origin()
                            .problem(
                                "env must be `flex`, got `" + v + "`",
                                DidYouMean.closest(v, List.of("flex", "standard"))
                                    .map(s -> "did you mean `" + s + "`?")
                                    .orElse("write `env: flex`")));
                  }
                });
      }
    }

    void service(YamlNode.Entry e) {
      fields
          .string(e)
          .ifPresent(
              s -> {
                service = Optional.of(new Located<>(s, e.value().origin()));
                if (!SERVICE_NAME.matcher(s).matches()) {
                  warnings.add(
                      e.value()
                          .origin()
                          .problem(
                              "service `"
                                  + s
                                  + "` is not a valid App Engine name (lowercase"
                                  + " letters, digits and hyphens, at most 63); Pylon uses `"
                                  + ServiceNames.sanitize(s)
                                  + "`",
                              "rename it to `" + ServiceNames.sanitize(s) + "`"));
                }
              });
    }

    void envVariables(YamlNode.Entry e) {
      Optional<YamlNode.Mapping> m = fields.mapping(e);
      if (m.isEmpty()) {
        return;
      }
      for (YamlNode.Entry v : m.get().entries().values()) {
        if (!ENV_NAME.matcher(v.key()).matches()) {
          errors.add(
              v.keyOrigin()
                  .problem(
                      "`" + v.key() + "` is not a valid environment variable name",
                      "use letters, digits and underscores, not starting with a digit"));
          continue;
        }
        if (ReservedEnv.isReserved(v.key())) {
          errors.add(
              v.keyOrigin()
                  .problem(
                      "`"
                          + v.key()
                          + "` is set by Pylon for every instance and cannot be"
                          + " overridden",
                      "use another name"));
          continue;
        }
        if (v.value() instanceof YamlNode.Scalar s && s.type() != YamlNode.Scalar.Type.NULL) {
          env.put(v.key(), s.text());
        } else {
          errors.add(
              v.value()
                  .origin()
                  .problem(
                      "env_variables."
                          + v.key()
                          + " must be a text value, got "
                          + v.value().describe(),
                      "write `" + v.key() + ": \"value\"`"));
        }
      }
    }

    void runtimeConfig(YamlNode.Mapping rc) {
      keys.check(
          rc,
          "runtime_config",
          AppYamlKeys.RUNTIME_CONFIG,
          AppYamlKeys.RUNTIME_CONFIG_IGNORED,
          Map.of(),
          true);
      Optional<YamlNode.Entry> version = rc.entry("runtime_version");
      Optional<YamlNode.Entry> legacy = rc.entry("python_version");
      if (version.isPresent()) {
        runtimeVersion(version.get());
        legacy.ifPresent(
            l ->
                warnings.add(
                    l.keyOrigin()
                        .problem(
                            "python_version is ignored: runtime_version decides",
                            "remove python_version; it is the legacy setting")));
      } else {
        legacy.ifPresent(this::legacyPythonVersion);
      }
    }

    void runtimeVersion(YamlNode.Entry e) {
      Optional<String> text = fields.string(e);
      if (text.isEmpty()) {
        return;
      }
      if (e.value() instanceof YamlNode.Scalar s
          && s.type() == YamlNode.Scalar.Type.FLOAT
          && text.get().matches("\\d+\\.\\d0")) {
        // YAML would read 3.10 as the number 3.1; the text survives, but say so.
        warnings.add(
            e.value()
                .origin()
                .problem(
                    "runtime_version " + text.get() + " is a number to YAML (3.1, not 3.10)",
                    "quote it: runtime_version: \"" + text.get() + "\""));
      }
      python =
          PythonRequest.versionOrPath(text.get(), e.value().origin())
              .filter(r -> r.path().isEmpty());
      if (python.isEmpty()) {
        errors.add(
            e.value()
                .origin()
                .problem(
                    "runtime_version must be a Python version such as \"3.12\", got "
                        + e.value().describe(),
                    "write it like runtime_version: \"3.12\""));
      }
    }

    /** The legacy table of seed 003: what it means is decided with the flags, in SpecLoader. */
    void legacyPythonVersion(YamlNode.Entry e) {
      Optional<String> text = fields.string(e);
      if (text.isEmpty()) {
        return;
      }
      String v = text.get();
      legacyPython = LegacyPythonVersion.of(v, e.value().origin());
      if (legacyPython.isEmpty()) {
        errors.add(
            e.value()
                .origin()
                .problem(
                    "python_version "
                        + v
                        + " is not in App Engine's legacy table (2, 3, 3.4,"
                        + " 3.5, 3.6, 3.7)",
                    "for Python 3.8 and later use runtime_version: \"" + v + "\" instead"));
      }
    }

    void automaticScaling(YamlNode.Entry e) {
      Optional<YamlNode.Mapping> m = fields.mapping(e);
      if (m.isEmpty()) {
        return;
      }
      YamlNode.Mapping a = m.get();
      keys.check(
          a,
          "automatic_scaling",
          AppYamlKeys.AUTOMATIC,
          AppYamlKeys.AUTOMATIC_IGNORED,
          AppYamlKeys.AUTOMATIC_FOREIGN,
          true);
      int min =
          a.entry("min_num_instances")
              .map(x -> fields.integer(x, 1))
              .orElse(OptionalInt.empty())
              .orElse(Defaults.GAE_MIN_INSTANCES);
      int max =
          a.entry("max_num_instances")
              .map(x -> fields.integer(x, 1))
              .orElse(OptionalInt.empty())
              .orElse(Defaults.GAE_MAX_INSTANCES);
      OptionalInt writtenCoolDown =
          a.entry("cool_down_period_sec")
              .map(x -> fields.integer(x, 60))
              .orElse(OptionalInt.empty());
      int coolDown = writtenCoolDown.orElse((int) Defaults.GAE_COOL_DOWN.toSeconds());
      double target = Defaults.CLOUD_RUN_CONCURRENCY;
      Optional<YamlNode.Entry> tcr = a.entry("target_concurrent_requests");
      if (tcr.isPresent()) {
        OptionalInt t = fields.integer(tcr.get(), 1);
        if (t.isPresent()) {
          target = t.getAsInt();
        }
      }
      double utilization = Defaults.GAE_TARGET_UTILIZATION;
      OptionalDouble cpuTarget = OptionalDouble.empty();
      Optional<YamlNode.Entry> cpu = a.entry("cpu_utilization");
      if (cpu.isPresent()) {
        Optional<YamlNode.Mapping> c = fields.mapping(cpu.get());
        if (c.isPresent()) {
          keys.check(
              c.get(),
              "automatic_scaling.cpu_utilization",
              Set.of("target_utilization"),
              Map.of("aggregation_window_length_sec", "Pylon's autoscaler keeps its own windows"),
              Map.of(),
              true);
          Optional<YamlNode.Entry> tu = c.get().entry("target_utilization");
          if (tu.isPresent()) {
            OptionalDouble u = fields.number(tu.get(), 0.05, 1.0);
            if (u.isPresent() && tcr.isEmpty()) {
              utilization = u.getAsDouble();
              cpuTarget = u; // the metric to scale on: CPU, as App Engine does
            } else if (u.isPresent()) {
              utilization = u.getAsDouble();
              warnings.add(
                  tu.get()
                      .keyOrigin()
                      .problem(
                          "Pylon scales on requests in flight, not CPU: target_utilization "
                              + YamlFields.plain(utilization)
                              + " is applied to target_concurrent_requests ("
                              + YamlFields.plain(target)
                              + ")",
                          "set target_concurrent_requests to what one instance handles well"));
            }
          }
        }
      }
      if (min > max) {
        YamlNode.Entry minEntry = a.entry("min_num_instances").orElse(e);
        errors.add(
            minEntry
                .value()
                .origin()
                .problem(
                    "min_num_instances (" + min + ") is more than max_num_instances (" + max + ")",
                    "make min_num_instances at most max_num_instances"));
      }
      scaling =
          new Scaling(
              min,
              max,
              target,
              utilization,
              Duration.ofSeconds(coolDown),
              name
                  + " automatic_scaling (line "
                  + e.keyOrigin().line()
                  + "), App Engine defaults for what it leaves out",
              cpuTarget,
              writtenCoolDown.isPresent());
    }

    void manualScaling(YamlNode.Entry e) {
      Optional<YamlNode.Mapping> m = fields.mapping(e);
      if (m.isEmpty()) {
        return;
      }
      keys.check(m.get(), "manual_scaling", Set.of("instances"), Map.of(), Map.of(), true);
      Optional<YamlNode.Entry> instances = m.get().entry("instances");
      if (instances.isEmpty()) {
        errors.add(
            e.keyOrigin()
                .problem("manual_scaling needs `instances`", "add `instances: 2` under it"));
        return;
      }
      OptionalInt n = fields.integer(instances.get(), 1);
      if (n.isPresent()) {
        manualInstances = n;
        scaling =
            new Scaling(
                n.getAsInt(),
                n.getAsInt(),
                Defaults.CLOUD_RUN_CONCURRENCY,
                Defaults.GAE_TARGET_UTILIZATION,
                Defaults.GAE_COOL_DOWN,
                name
                    + " manual_scaling.instances (line "
                    + instances.get().keyOrigin().line()
                    + ")");
      }
    }

    void resources(YamlNode.Entry e) {
      Optional<YamlNode.Mapping> m = fields.mapping(e);
      if (m.isEmpty()) {
        return;
      }
      keys.check(
          m.get(),
          "resources",
          AppYamlKeys.RESOURCES,
          AppYamlKeys.RESOURCES_IGNORED,
          Map.of(),
          true);
      double cpu =
          m.get()
              .entry("cpu")
              .map(x -> fields.number(x, 0.01, 96))
              .orElse(OptionalDouble.empty())
              .orElse(Defaults.GAE_CPU);
      double memoryGb =
          m.get()
              .entry("memory_gb")
              .map(x -> fields.number(x, 0.1, 6.5 * 96))
              .orElse(OptionalDouble.empty())
              .orElse(Defaults.GAE_MEMORY_MB / 1024.0);
      double disk =
          m.get()
              .entry("disk_size_gb")
              .map(x -> fields.number(x, 10, 10240))
              .orElse(OptionalDouble.empty())
              .orElse(Defaults.GAE_DISK_GB);
      resources =
          new Resources(
              cpu,
              OptionalLong.of(Math.round(memoryGb * 1024)),
              disk,
              name
                  + " resources (line "
                  + e.keyOrigin().line()
                  + "), App Engine defaults for what it leaves out");
    }
  }
}
