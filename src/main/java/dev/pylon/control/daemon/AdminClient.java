package dev.pylon.control.daemon;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The CLI's side of the admin API: finds the daemon through {@code <state>/server.json}, reads the
 * token from {@code <state>/admin-token}, and turns the daemon's errors into {@link
 * AdminClientException}s a person can act on.
 */
public final class AdminClient {
  private static final ObjectMapper JSON = new ObjectMapper();
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
    HttpResponse<InputStream> response =
        send(request("POST", path, body), HttpResponse.BodyHandlers.ofInputStream());
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      if (response.statusCode() != 200) {
        throw error(
            response.statusCode(),
            new String(response.body().readAllBytes(), StandardCharsets.UTF_8));
      }
      String line;
      while ((line = lines.readLine()) != null) {
        JsonNode event = JSON.readTree(line);
        switch (event.path("event").asText()) {
          case "result" -> {
            return event.path("result");
          }
          case "error" -> throw error(event);
          default -> onProgress.accept(event);
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
        AdminClientException e = error(node);
        return new AdminClientException(status, e.getMessage(), e.hint(), e.details());
      }
    } catch (JsonProcessingException ignored) {
      // Not one of the daemon's errors: show the status.
    }
    return new AdminClientException(status, "the daemon answered HTTP " + status, "", List.of());
  }

  private static AdminClientException error(JsonNode node) {
    List<String> details = new ArrayList<>();
    node.path("details").forEach(line -> details.add(line.asText()));
    return new AdminClientException(
        node.path("status").asInt(0),
        node.path("error").asText(),
        node.path("hint").asText(""),
        details);
  }
}
