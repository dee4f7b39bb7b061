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

  private static final Set<String> TOP =
      Set.of(
          "runtime",
          "env",
          "service",
          "entrypoint",
          "runtime_config",
          "env_variables",
          "automatic_scaling",
          "manual_scaling",
          "resources",
          "liveness_check",
          "readiness_check",
          "network");
  private static final Map<String, String> TOP_IGNORED =
      Map.ofEntries(
          Map.entry("build_env_variables", "Pylon builds with pip, not buildpacks"),
          Map.entry("beta_settings", "there is no Cloud SQL proxy or other beta feature here"),
          Map.entry("service_account", "there are no Google credentials to assume here"),
          Map.entry("vpc_access_connector", "there is no VPC here"),
          Map.entry("endpoints_api_service", "there is no Cloud Endpoints proxy here"),
          Map.entry("skip_files", "Pylon snapshots the whole folder"),
          Map.entry(
              "health_check", "it is the legacy check; use liveness_check and readiness_check"),
          Map.entry("version", "Pylon names revisions itself"),
          Map.entry("vm", "it is the legacy spelling of env: flex"));
  private static final Map<String, String> TOP_FOREIGN =
      Map.ofEntries(
          Map.entry(
              "handlers",
              "`handlers` is an App Engine standard key; in the flexible environment the app routes its own URLs"),
          Map.entry(
              "instance_class",
              "`instance_class` is an App Engine standard key; use `resources` (cpu, memory_gb)"),
          Map.entry(
              "basic_scaling",
              "`basic_scaling` is an App Engine standard key; use `automatic_scaling` or `manual_scaling`"),
          Map.entry(
              "threadsafe", "`threadsafe` is a Python 2.7 standard-environment key; remove it"),
          Map.entry(
              "api_version", "`api_version` is a Python 2.7 standard-environment key; remove it"),
          Map.entry(
              "libraries",
              "`libraries` is a Python 2.7 standard key; list packages in requirements.txt"),
          Map.entry(
              "inbound_services", "`inbound_services` is an App Engine standard key; remove it"),
          Map.entry("error_handlers", "`error_handlers` is an App Engine standard key; remove it"),
          Map.entry(
              "default_expiration",
              "`default_expiration` is an App Engine standard key; remove it"),
          Map.entry(
              "app_engine_apis", "`app_engine_apis` is an App Engine standard key; remove it"),
          Map.entry("min_num_instances", "put it under automatic_scaling:"),
          Map.entry("max_num_instances", "put it under automatic_scaling:"),
          Map.entry("instances", "put it under manual_scaling:"),
          Map.entry("runtime_version", "put it under runtime_config:"),
          Map.entry("python_version", "put it under runtime_config:"),
          Map.entry("memory_gb", "put it under resources:"),
          Map.entry("cpu", "put it under resources:"));
  private static final Set<String> RUNTIME_CONFIG = Set.of("runtime_version", "python_version");
  private static final Map<String, String> RUNTIME_CONFIG_IGNORED =
      Map.of("operating_system", "Pylon runs on this machine's operating system");
  private static final Set<String> AUTOMATIC =
      Set.of(
          "min_num_instances",
          "max_num_instances",
          "cool_down_period_sec",
          "cpu_utilization",
          "target_concurrent_requests");
  private static final Map<String, String> AUTOMATIC_IGNORED =
      Map.of(
          "disk_utilization", "Pylon scales on requests in flight",
          "network_utilization", "Pylon scales on requests in flight",
          "request_utilization",
              "Pylon scales on requests in flight; use target_concurrent_requests");
  private static final Map<String, String> AUTOMATIC_FOREIGN =
      Map.of(
          "min_instances", "App Engine flexible calls it min_num_instances",
          "max_instances", "App Engine flexible calls it max_num_instances",
          "min_idle_instances",
              "`min_idle_instances` is an App Engine standard key; use min_num_instances",
          "max_idle_instances",
              "`max_idle_instances` is an App Engine standard key; use max_num_instances",
          "max_concurrent_requests",
              "`max_concurrent_requests` is an App Engine standard key; use target_concurrent_requests");
  private static final Set<String> LIVENESS =
      Set.of(
          "path",
          "check_interval_sec",
          "timeout_sec",
          "failure_threshold",
          "success_threshold",
          "initial_delay_sec");
  private static final Set<String> READINESS =
      Set.of(
          "path",
          "check_interval_sec",
          "timeout_sec",
          "failure_threshold",
          "success_threshold",
          "app_start_timeout_sec");
  private static final Set<String> RESOURCES = Set.of("cpu", "memory_gb");
  private static final Map<String, String> RESOURCES_IGNORED =
      Map.of(
          "disk_size_gb", "instances share this machine's disk",
          "volumes", "instances share this machine's file system (tmpfs volumes are not made)");
  private static final Set<String> NETWORK = Set.of();
  private static final Map<String, String> NETWORK_IGNORED =
      Map.of(
          "forwarded_ports", "instances listen only on $PORT behind Pylon's router",
          "session_affinity", "the router balances by requests in flight and does not pin clients",
          "name", "there is no VPC network here",
          "subnetwork_name", "there is no VPC network here",
          "instance_tag", "there are no firewall tags here",
          "instance_ip_mode", "instances listen on 127.0.0.1");

  /** What app.yaml says, each facet empty when the file says nothing of it. */
  record AppYaml(
      Path file,
      Optional<Located<String>> service,
      Optional<Located<String>> entrypoint,
      Optional<PythonRequest> python,
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
    Optional<Located<String>> service = Optional.empty();
    Optional<Located<String>> entrypoint = Optional.empty();
    Optional<PythonRequest> python = Optional.empty();
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
      keys.check(root, "", TOP, TOP_IGNORED, TOP_FOREIGN, true);
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
      root.entry("readiness_check").ifPresent(e -> readiness = probe(e, false));
      root.entry("liveness_check").ifPresent(e -> liveness = probe(e, true));
      root.entry("network")
          .flatMap(fields::mapping)
          .ifPresent(m -> keys.check(m, "network", NETWORK, NETWORK_IGNORED, Map.of(), true));
      return result();
    }

    AppYaml result() {
      return new AppYaml(
          file,
          service,
          entrypoint,
          python,
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
      keys.check(rc, "runtime_config", RUNTIME_CONFIG, RUNTIME_CONFIG_IGNORED, Map.of(), true);
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

    /** The legacy table of seed 003: every line of it is past end of life, so each is refused. */
    void legacyPythonVersion(YamlNode.Entry e) {
      Optional<String> text = fields.string(e);
      if (text.isEmpty()) {
        return;
      }
      String v = text.get();
      Map<String, String> table =
          Map.of(
              "2", "2.7.12", "3.4", "3.4.8", "3.5", "3.5.9", "3", "3.6.10", "3.6", "3.6.10", "3.7",
              "3.7.9");
      String interpreter = table.get(v);
      if (interpreter == null) {
        errors.add(
            e.value()
                .origin()
                .problem(
                    "python_version "
                        + v
                        + " is not in App Engine's legacy table (2, 3, 3.4,"
                        + " 3.5, 3.6, 3.7)",
                    "for Python 3.8 and later use runtime_version: \"" + v + "\" instead"));
        return;
      }
      String line = interpreter.substring(0, interpreter.lastIndexOf('.'));
      String majorKey = line.startsWith("2") ? "2" : line;
      errors.add(
          e.value()
              .origin()
              .problem(
                  "python_version "
                      + v
                      + " means Python "
                      + interpreter
                      + ", which reached its end of life on "
                      + InterpreterChooser.END_OF_LIFE.get(majorKey)
                      + "; Pylon does not run it",
                  "replace it with runtime_version: \"3.12\" (and port the app if it needs"
                      + " to)"));
    }

    void automaticScaling(YamlNode.Entry e) {
      Optional<YamlNode.Mapping> m = fields.mapping(e);
      if (m.isEmpty()) {
        return;
      }
      YamlNode.Mapping a = m.get();
      keys.check(a, "automatic_scaling", AUTOMATIC, AUTOMATIC_IGNORED, AUTOMATIC_FOREIGN, true);
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
      keys.check(m.get(), "resources", RESOURCES, RESOURCES_IGNORED, Map.of(), true);
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

    Optional<Probe> probe(YamlNode.Entry e, boolean liveness) {
      Optional<YamlNode.Mapping> m = fields.mapping(e);
      if (m.isEmpty()) {
        return Optional.empty();
      }
      YamlNode.Mapping p = m.get();
      keys.check(p, e.key(), liveness ? LIVENESS : READINESS, Map.of(), Map.of(), true);
      Optional<String> path = p.entry("path").flatMap(fields::string);
      path.ifPresent(
          s -> {
            if (!s.startsWith("/")) {
              errors.add(
                  p.entry("path")
                      .orElseThrow()
                      .value()
                      .origin()
                      .problem(
                          e.key() + ".path must start with /, got `" + s + "`",
                          "write `/" + s + "`"));
            }
          });
      int interval =
          intOr(
              p,
              "check_interval_sec",
              1,
              300,
              liveness ? Defaults.GAE_LIVENESS_INTERVAL_SEC : Defaults.GAE_READINESS_INTERVAL_SEC);
      int timeout =
          intOr(
              p,
              "timeout_sec",
              1,
              300,
              liveness ? Defaults.GAE_LIVENESS_TIMEOUT_SEC : Defaults.GAE_READINESS_TIMEOUT_SEC);
      int failures =
          intOr(
              p,
              "failure_threshold",
              1,
              10,
              liveness
                  ? Defaults.GAE_LIVENESS_FAILURE_THRESHOLD
                  : Defaults.GAE_READINESS_FAILURE_THRESHOLD);
      int successes =
          intOr(
              p,
              "success_threshold",
              1,
              10,
              liveness
                  ? Defaults.GAE_LIVENESS_SUCCESS_THRESHOLD
                  : Defaults.GAE_READINESS_SUCCESS_THRESHOLD);
      int initialDelay =
          liveness
              ? intOr(p, "initial_delay_sec", 0, 3600, Defaults.GAE_LIVENESS_INITIAL_DELAY_SEC)
              : 0;
      int startTimeout =
          liveness
              ? Defaults.GAE_APP_START_TIMEOUT_SEC
              : intOr(p, "app_start_timeout_sec", 1, 1800, Defaults.GAE_APP_START_TIMEOUT_SEC);
      if (timeout > interval) {
        YamlNode.Entry t = p.entry("timeout_sec").or(() -> p.entry("check_interval_sec")).orElse(e);
        errors.add(
            t.value()
                .origin()
                .problem(
                    e.key()
                        + ": timeout_sec ("
                        + timeout
                        + ") is longer than check_interval_sec ("
                        + interval
                        + ")",
                    "make timeout_sec at most check_interval_sec"));
      }
      if (path.isEmpty()) {
        warnings.add(
            e.keyOrigin()
                .problem(
                    e.key()
                        + " has no path, so (as on App Engine) the check does not reach the"
                        + " app: Pylon only checks that the port accepts connections",
                    "add `path: /healthz` (a URL your app answers with 200) to check the app"
                        + " itself"));
      }
      return Optional.of(
          new Probe(
              path,
              Duration.ofSeconds(initialDelay),
              Duration.ofSeconds(interval),
              Duration.ofSeconds(timeout),
              failures,
              successes,
              Duration.ofSeconds(startTimeout),
              name
                  + " "
                  + e.key()
                  + " (line "
                  + e.keyOrigin().line()
                  + "), App Engine defaults for what it leaves out"));
    }

    int intOr(YamlNode.Mapping m, String key, int min, int max, int fallback) {
      Optional<YamlNode.Entry> e = m.entry(key);
      if (e.isEmpty()) {
        return fallback;
      }
      OptionalInt v = fields.integer(e.get(), min);
      if (v.isPresent() && v.getAsInt() > max) {
        errors.add(
            e.get()
                .value()
                .origin()
                .problem(
                    "`" + key + "` must be at most " + max + ", got " + v.getAsInt(),
                    "use a value from " + min + " to " + max));
        return fallback;
      }
      return v.orElse(fallback);
    }
  }
}
