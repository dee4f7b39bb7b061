package dev.pylon.control.daemon;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pylon.control.admin.DeletedView;
import dev.pylon.control.admin.DeployBody;
import dev.pylon.control.admin.DeployView;
import dev.pylon.control.admin.EnvBody;
import dev.pylon.control.admin.EnvOutcome;
import dev.pylon.control.admin.ErrorView;
import dev.pylon.control.admin.EventView;
import dev.pylon.control.admin.HealthView;
import dev.pylon.control.admin.InstanceView;
import dev.pylon.control.admin.LogLineView;
import dev.pylon.control.admin.RevisionView;
import dev.pylon.control.admin.ScalerView;
import dev.pylon.control.admin.ScalingBody;
import dev.pylon.control.admin.ServiceView;
import dev.pylon.control.admin.StreamLine;
import dev.pylon.control.admin.TrafficBody;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The CLI's side of the admin API: finds the daemon through {@code <state>/server.json}, reads the
 * token from {@code <state>/admin-token}, and turns the daemon's errors into {@link
 * AdminClientException}s a person can act on. The typed calls ({@link #services}, {@link #deploy},
 * ...) send and read the records of {@code dev.pylon.control.admin}; the raw ones ({@link #get},
 * {@link #put}, ...) JSON trees.
 */
public final class AdminClient {
  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  private static final String NOT_RUNNING_HINT = "start it with `pylon server`";

  private final HttpClient http;
  private final URI base;
  private final String token;

  private AdminClient(URI base, String token) {
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    this.base = base;
    this.token = token;
  }

  /** A client for the daemon that uses {@code stateDir}. */
  public static AdminClient connect(Path stateDir) throws AdminClientException {
    ServerInfo info;
    try {
      info = ServerInfo.read(stateDir);
    } catch (NoSuchFileException e) {
      throw new AdminClientException(
          0,
          "the Pylon daemon is not running (there is no " + stateDir.resolve(ServerInfo.FILE) + ")",
          NOT_RUNNING_HINT + " (with the same --state-dir)",
          List.of());
    } catch (IOException e) {
      throw new AdminClientException(
          0,
          "cannot read " + stateDir.resolve(ServerInfo.FILE) + ": " + e.getMessage(),
          NOT_RUNNING_HINT,
          List.of());
    }
    try {
      return new AdminClient(
          URI.create("http://" + info.host() + ":" + info.adminPort()),
          AdminToken.read(stateDir).value());
    } catch (IOException e) {
      throw new AdminClientException(
          0,
          "cannot read the admin token "
              + stateDir.resolve(AdminToken.FILE)
              + ": "
              + e.getMessage(),
          "run the command as the user that runs `pylon server`",
          List.of());
    }
  }

  // ---- typed calls, one per API path

  public HealthView health() throws AdminClientException {
    return read(get("/v1/health"), HealthView.class);
  }

  public List<ServiceView> services() throws AdminClientException {
    return read(get("/v1/services"), new TypeReference<List<ServiceView>>() {});
  }

  public ServiceView service(String name) throws AdminClientException {
    return read(get(servicePath(name)), ServiceView.class);
  }

  public DeletedView deleteService(String name) throws AdminClientException {
    return read(delete(servicePath(name)), DeletedView.class);
  }

  public List<RevisionView> revisions(String service) throws AdminClientException {
    return read(
        get(servicePath(service) + "/revisions"), new TypeReference<List<RevisionView>>() {});
  }

  public ServiceView setTraffic(String service, TrafficBody body) throws AdminClientException {
    return read(put(servicePath(service) + "/traffic", tree(body)), ServiceView.class);
  }

  public ServiceView setScaling(String service, ScalingBody body) throws AdminClientException {
    return read(put(servicePath(service) + "/scaling", tree(body)), ServiceView.class);
  }

  public ServiceView rollback(String service) throws AdminClientException {
    return read(
        post(servicePath(service) + "/rollback", JSON.createObjectNode()), ServiceView.class);
  }

  /** The newest {@code limit} events, of one service or of all. */
  public List<EventView> events(Optional<String> service, int limit) throws AdminClientException {
    String query = "?limit=" + limit + service.map(s -> "&service=" + segment(s)).orElse("");
    return read(get("/v1/events" + query), new TypeReference<List<EventView>>() {});
  }

  public List<ScalerView> scalers() throws AdminClientException {
    return read(get("/v1/scalers"), new TypeReference<List<ScalerView>>() {});
  }

  public List<InstanceView> instances() throws AdminClientException {
    return read(get("/v1/instances"), new TypeReference<List<InstanceView>>() {});
  }

  /** The last {@code lines} lines of one revision's log, or of all the service's, by time. */
  public List<LogLineView> logs(String service, Optional<String> revision, int lines)
      throws AdminClientException {
    String query = "?lines=" + lines + revision.map(r -> "&revision=" + segment(r)).orElse("");
    return read(
        get(servicePath(service) + "/logs" + query), new TypeReference<List<LogLineView>>() {});
  }

  /** Deploys; each progress line goes to {@code onProgress}. */
  public DeployView deploy(DeployBody body, Consumer<StreamLine> onProgress)
      throws AdminClientException {
    return read(streamLines("/v1/deploy", tree(body), onProgress), DeployView.class);
  }

  /** Changes the service's variables; each progress line goes to {@code onProgress}. */
  public EnvOutcome updateEnv(String service, EnvBody body, Consumer<StreamLine> onProgress)
      throws AdminClientException {
    JsonNode result = streamLines(servicePath(service) + "/env", tree(body), onProgress);
    return result.has("revision")
        ? read(result, DeployView.class)
        : new EnvOutcome.Unchanged(read(result, ServiceView.class));
  }

  private static String servicePath(String name) {
    return "/v1/services/" + segment(name);
  }

  private static String segment(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static JsonNode tree(Object body) {
    return JSON.valueToTree(body);
  }

  private static <T> T read(JsonNode node, Class<T> type) throws AdminClientException {
    try {
      return JSON.treeToValue(node, type);
    } catch (JsonProcessingException e) {
      throw unreadable(e);
    }
  }

  private static <T> T read(JsonNode node, TypeReference<T> type) throws AdminClientException {
    try {
      return JSON.treeToValue(node, type);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw unreadable(e);
    }
  }

  private static AdminClientException unreadable(Exception e) {
    return new AdminClientException(
        0,
        "the daemon's answer is not what this pylon expects: " + e.getMessage(),
        "run the same version of pylon as the daemon (`pylon server`)",
        List.of());
  }

  // ---- raw calls

  public JsonNode get(String path) throws AdminClientException {
    return call("GET", path, null);
  }

  public JsonNode put(String path, JsonNode body) throws AdminClientException {
    return call("PUT", path, body);
  }

  public JsonNode post(String path, JsonNode body) throws AdminClientException {
    return call("POST", path, body);
  }

  public JsonNode delete(String path) throws AdminClientException {
    return call("DELETE", path, null);
  }

  /**
   * A call answered with a stream of JSON lines: each progress line goes to {@code onProgress};
   * returns the final result, or throws the final error.
   */
  public JsonNode stream(String path, JsonNode body, Consumer<JsonNode> onProgress)
      throws AdminClientException {
    return streamLines(path, body, line -> onProgress.accept(JSON.valueToTree(line)));
  }

  private JsonNode streamLines(String path, JsonNode body, Consumer<StreamLine> onProgress)
      throws AdminClientException {
    HttpResponse<InputStream> response =
        send(request("POST", path, body), HttpResponse.BodyHandlers.ofInputStream());
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      if (response.statusCode() != 200) {
        throw error(
            response.statusCode(),
            new String(response.body().readAllBytes(), StandardCharsets.UTF_8));
      }
      String text;
      while ((text = lines.readLine()) != null) {
        StreamLine line = JSON.readValue(text, StreamLine.class);
        switch (line.event() == null ? "" : line.event()) {
          case StreamLine.RESULT -> {
            return line.resultTree() == null ? JSON.nullNode() : line.resultTree();
          }
          case StreamLine.ERROR -> throw error(line.errorView());
          default -> onProgress.accept(line);
        }
      }
      throw new AdminClientException(
          0,
          "the daemon stopped answering before the end",
          "see `pylon events`; is the daemon still running?",
          List.of());
    } catch (IOException e) {
      throw new AdminClientException(
          0,
          "the connection to the daemon broke: " + e.getMessage(),
          "see `pylon events`",
          List.of());
    }
  }

  private JsonNode call(String method, String path, JsonNode body) throws AdminClientException {
    HttpResponse<String> response =
        send(request(method, path, body), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      throw error(response.statusCode(), response.body());
    }
    try {
      return JSON.readTree(response.body());
    } catch (JsonProcessingException e) {
      throw new AdminClientException(
          response.statusCode(), "the daemon's answer is not JSON", "", List.of());
    }
  }

  private HttpRequest request(String method, String path, JsonNode body) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(base.resolve(path))
            .header("Authorization", "Bearer " + token)
            .timeout(Duration.ofMinutes(30));
    if (body == null) {
      builder.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      builder.header("Content-Type", "application/json");
      builder.method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
    }
    return builder.build();
  }

  private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
      throws AdminClientException {
    try {
      return http.send(request, handler);
    } catch (ConnectException e) {
      throw new AdminClientException(
          0,
          "the Pylon daemon is not running (nothing answers on " + base.getAuthority() + ")",
          NOT_RUNNING_HINT,
          List.of());
    } catch (IOException e) {
      throw new AdminClientException(
          0,
          "cannot talk to the Pylon daemon at " + base.getAuthority() + ": " + e.getMessage(),
          NOT_RUNNING_HINT,
          List.of());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AdminClientException(0, "interrupted", "", List.of());
    }
  }

  private static AdminClientException error(int status, String body) {
    try {
      JsonNode node = JSON.readTree(body);
      if (node != null && node.has("error")) {
        ErrorView e = JSON.treeToValue(node, ErrorView.class);
        return new AdminClientException(status, e.error(), e.hint(), e.details());
      }
    } catch (JsonProcessingException ignored) {
      // Not one of the daemon's errors: show the status.
    }
    return new AdminClientException(status, "the daemon answered HTTP " + status, "", List.of());
  }

  private static AdminClientException error(ErrorView e) {
    return new AdminClientException(e.status(), e.error(), e.hint(), e.details());
  }
}
