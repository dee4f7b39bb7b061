package dev.pylon.spec;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Everything Pylon needs to build and run one service, read from its folder. Immutable.
 *
 * @param name service name: app.yaml {@code service}, service.yaml {@code metadata.name}, else the
 *     folder name; lowercase {@code [a-z0-9-]}
 * @param sourceDir the app folder, absolute
 * @param python the interpreter to build and run with
 * @param dependencies what to install
 * @param app the Python object that serves requests; empty only when an explicit entrypoint runs
 *     something Pylon could not find an app object for
 * @param server how each instance is started
 * @param threads threads per instance for the built-in worker and gunicorn
 * @param instances a fixed instance count ({@code --instances}, {@code manual_scaling.instances});
 *     empty lets the caller decide (for example, one per core)
 * @param env the user's environment variables, in file order
 * @param preStart a shell command run once per revision before any instance starts (Procfile {@code
 *     release:})
 * @param scaling autoscaling bounds and targets
 * @param probes health checks
 * @param resources per-instance limits
 * @param concurrency per-instance request cap and request timeout
 * @param fromAppYaml whether an app.yaml configured the service (its instances then get the App
 *     Engine {@code GAE_*} environment variables)
 * @param http2 instances speak HTTP/2 without TLS (h2c), so the router talks HTTP/2 to them (Cloud
 *     Run's end-to-end HTTP/2: service.yaml's container port is named {@code h2c})
 */
public record ServiceSpec(
    String name,
    Path sourceDir,
    Interpreter python,
    Dependencies dependencies,
    Optional<AppTarget> app,
    ServerCommand server,
    int threads,
    OptionalInt instances,
    Map<String, String> env,
    Optional<String> preStart,
    Scaling scaling,
    Probes probes,
    Resources resources,
    Concurrency concurrency,
    boolean fromAppYaml,
    boolean http2) {

  public ServiceSpec {
    env = Collections.unmodifiableMap(new LinkedHashMap<>(env));
  }
}
