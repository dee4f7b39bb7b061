package dev.pylon.spec;

import java.util.Map;
import java.util.Set;

/**
 * The keys of app.yaml's reference page, by section: those Pylon reads, those it accepts and cannot
 * honour on one machine (with why), and those that belong elsewhere (with where).
 */
final class AppYamlKeys {
  private AppYamlKeys() {}

  static final Set<String> TOP =
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
  static final Map<String, String> TOP_IGNORED =
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
  static final Map<String, String> TOP_FOREIGN =
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
  static final Set<String> RUNTIME_CONFIG = Set.of("runtime_version", "python_version");
  static final Map<String, String> RUNTIME_CONFIG_IGNORED =
      Map.of("operating_system", "Pylon runs on this machine's operating system");
  static final Set<String> AUTOMATIC =
      Set.of(
          "min_num_instances",
          "max_num_instances",
          "cool_down_period_sec",
          "cpu_utilization",
          "target_concurrent_requests");
  static final Map<String, String> AUTOMATIC_IGNORED =
      Map.of(
          "disk_utilization", "Pylon scales on requests in flight",
          "network_utilization", "Pylon scales on requests in flight",
          "request_utilization",
              "Pylon scales on requests in flight; use target_concurrent_requests");
  static final Map<String, String> AUTOMATIC_FOREIGN =
      Map.of(
          "min_instances", "App Engine flexible calls it min_num_instances",
          "max_instances", "App Engine flexible calls it max_num_instances",
          "min_idle_instances",
              "`min_idle_instances` is an App Engine standard key; use min_num_instances",
          "max_idle_instances",
              "`max_idle_instances` is an App Engine standard key; use max_num_instances",
          "max_concurrent_requests",
              "`max_concurrent_requests` is an App Engine standard key; use target_concurrent_requests");
  static final Set<String> RESOURCES = Set.of("cpu", "memory_gb");
  static final Map<String, String> RESOURCES_IGNORED =
      Map.of(
          "disk_size_gb", "instances share this machine's disk",
          "volumes", "instances share this machine's file system (tmpfs volumes are not made)");
  static final Set<String> NETWORK = Set.of();
  static final Map<String, String> NETWORK_IGNORED =
      Map.of(
          "forwarded_ports", "instances listen only on $PORT behind Pylon's router",
          "session_affinity", "the router balances by requests in flight and does not pin clients",
          "name", "there is no VPC network here",
          "subnetwork_name", "there is no VPC network here",
          "instance_tag", "there are no firewall tags here",
          "instance_ip_mode", "instances listen on 127.0.0.1");
}
