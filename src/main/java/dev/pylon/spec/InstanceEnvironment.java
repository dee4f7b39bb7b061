package dev.pylon.spec;

import java.io.File;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The environment contract of DESIGN.md, in one place: what every instance of a revision sees
 * (Cloud Run's {@code K_SERVICE}, {@code K_REVISION}, {@code K_CONFIGURATION}; App Engine
 * flexible's {@code GAE_*} and {@code GOOGLE_CLOUD_PROJECT} for app.yaml services; {@code
 * PYTHONUNBUFFERED=1}; the metadata server's {@code GCE_METADATA_HOST}; the virtualenv on {@code
 * PATH}; the user's variables), then what differs per instance ({@link #forInstance}: {@code PORT},
 * {@code GAE_INSTANCE}). A pre-start step gets its Python part ({@link #forPreStart}). Pure: the
 * host's environment comes in as an argument.
 *
 * @param service {@code K_SERVICE}, {@code K_CONFIGURATION} and {@code GAE_SERVICE}
 * @param revision {@code K_REVISION} and {@code GAE_VERSION}
 * @param venv the revision's virtualenv, if it has one: {@code VIRTUAL_ENV}, its {@code bin} first
 *     on {@code PATH}
 * @param metadataHost the local metadata server's {@code host:port}, when one runs
 * @param appEngine present for an app.yaml service: App Engine flexible's variables, with the
 *     instance memory ({@code GAE_MEMORY_MB}) when known
 * @param djangoSettings {@code DJANGO_SETTINGS_MODULE}, when detection found it
 * @param variables the user's variables (app.yaml {@code env_variables}, service.yaml {@code env},
 *     {@code --env}); they win over everything but the reserved names, which they cannot hold
 */
public record InstanceEnvironment(
    String service,
    String revision,
    Optional<Path> venv,
    Optional<String> metadataHost,
    Optional<AppEngine> appEngine,
    Optional<String> djangoSettings,
    Map<String, String> variables) {

  /** The project id instances see when the host sets no {@code GOOGLE_CLOUD_PROJECT}. */
  public static final String LOCAL_PROJECT = "pylon-local";

  /** App Engine flexible's part of the contract; {@code memoryMiB} gives {@code GAE_MEMORY_MB}. */
  public record AppEngine(OptionalLong memoryMiB) {}

  public InstanceEnvironment {
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(revision, "revision");
    variables = Map.copyOf(variables);
  }

  /**
   * The contract for a revision of {@code spec} named {@code revision}.
   *
   * @param memoryMiB the instance memory App Engine services see as {@code GAE_MEMORY_MB}
   */
  public static InstanceEnvironment of(
      ServiceSpec spec,
      String revision,
      Optional<Path> venv,
      Optional<String> metadataHost,
      OptionalLong memoryMiB) {
    return new InstanceEnvironment(
        spec.name(),
        revision,
        venv,
        metadataHost,
        spec.fromAppYaml() ? Optional.of(new AppEngine(memoryMiB)) : Optional.empty(),
        spec.app().flatMap(AppTarget::djangoSettings),
        spec.env());
  }

  /**
   * Cloud Run's names for a revision: {@code K_SERVICE}, {@code K_CONFIGURATION}, {@code
   * K_REVISION}.
   */
  public static Map<String, String> cloudRunNames(String service, String revision) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("K_SERVICE", service);
    env.put("K_CONFIGURATION", service);
    env.put("K_REVISION", revision);
    return env;
  }

  /** Every variable the revision's instances share, given the host's environment. */
  public Map<String, String> forRevision(Map<String, String> host) {
    Map<String, String> env = cloudRunNames(service, revision);
    env.putAll(python(venv, host));
    metadataHost.ifPresent(hostPort -> env.put("GCE_METADATA_HOST", hostPort));
    appEngine.ifPresent(
        gae -> {
          env.put("GAE_SERVICE", service);
          env.put("GAE_VERSION", revision);
          // Per instance (forInstance) it names the instance; this is what a template says alone.
          env.put("GAE_INSTANCE", revision);
          String project = host.get("GOOGLE_CLOUD_PROJECT");
          env.put(
              "GOOGLE_CLOUD_PROJECT",
              project == null || project.isBlank() ? LOCAL_PROJECT : project);
          gae.memoryMiB().ifPresent(memory -> env.put("GAE_MEMORY_MB", Long.toString(memory)));
        });
    djangoSettings.ifPresent(settings -> env.put("DJANGO_SETTINGS_MODULE", settings));
    env.putAll(variables);
    return env;
  }

  /**
   * What a pre-start step ({@code release:}, {@code --pre-start}) runs with: the Python part of the
   * contract, {@code PYTHONDONTWRITEBYTECODE=1} so the revision folder stays as it was built, and
   * {@code variables} (the revision's, with {@link #cloudRunNames}), which win.
   */
  public static Map<String, String> forPreStart(
      Optional<Path> venv, Map<String, String> variables, Map<String, String> host) {
    Map<String, String> env = python(venv, host);
    env.put("PYTHONDONTWRITEBYTECODE", "1");
    env.putAll(variables);
    return env;
  }

  /** {@code PYTHONUNBUFFERED=1}, and the virtualenv as {@code VIRTUAL_ENV} and first on PATH. */
  private static Map<String, String> python(Optional<Path> venv, Map<String, String> host) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PYTHONUNBUFFERED", "1");
    venv.ifPresent(
        dir -> {
          env.put("VIRTUAL_ENV", dir.toString());
          String path = host.getOrDefault("PATH", "/usr/bin:/bin");
          env.put("PATH", dir.resolve("bin") + File.pathSeparator + path);
        });
    return env;
  }

  /**
   * One instance's environment: the revision's, plus {@code PORT} and, for an App Engine service
   * (one that has {@code GAE_SERVICE}), {@code GAE_INSTANCE} naming the instance. {@code
   * PYTHONUNBUFFERED=1} unless the revision's environment says otherwise, so output arrives as it
   * is written.
   */
  public static Map<String, String> forInstance(
      Map<String, String> revisionEnv, String instance, int port) {
    Map<String, String> env = new LinkedHashMap<>(revisionEnv);
    env.putIfAbsent("PYTHONUNBUFFERED", "1");
    env.put("PORT", Integer.toString(port));
    if (env.containsKey("GAE_SERVICE")) {
      env.put("GAE_INSTANCE", instance);
    }
    return env;
  }

  /**
   * A stored revision environment ({@code base}) with the service's current variables on top and
   * {@code K_REVISION} naming {@code revision}: how a daemon revision starts from its launch spec.
   */
  public static Map<String, String> withVariables(
      Map<String, String> base, Map<String, String> variables, String revision) {
    Map<String, String> env = new LinkedHashMap<>(base);
    env.putAll(variables);
    env.put("K_REVISION", revision);
    return env;
  }
}
