package dev.pylon.control.daemon;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.pylon.control.admin.DeployBody;
import dev.pylon.control.admin.DeployView;
import dev.pylon.control.admin.EnvBody;
import dev.pylon.control.admin.EnvOutcome;
import dev.pylon.control.admin.ErrorView;
import dev.pylon.control.admin.RequestUrls;
import dev.pylon.control.admin.ScalingBody;
import dev.pylon.control.admin.StreamLine;
import dev.pylon.control.admin.TrafficBody;
import dev.pylon.revision.BuildProgress;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API: JSON over HTTP on loopback, every call authenticated with the bearer token. It
 * parses a request into the records of {@code dev.pylon.control.admin}, calls {@link
 * AdminOperations}, and writes the view it answers with (Jackson, a record's components in order).
 * Errors are {@code {"status": ..., "error": ..., "hint": ...}} with the status {@link #status}
 * gives the error's kind. Deploys and env changes answer with a stream of JSON lines (progress,
 * then the result or the error), so the CLI can show progress as it happens.
 *
 * <pre>
 * GET    /v1/health
 * GET    /v1/services                      GET /v1/services/NAME        DELETE /v1/services/NAME
 * GET    /v1/services/NAME/revisions       GET /v1/instances            GET /v1/events?service=&amp;limit=
 * GET    /v1/scalers     (each scaled revision: ready, desired, metric, target, last decision)
 * POST   /v1/deploy   {"path", "service"?, "noTraffic"?, "tag"?, "systemSitePackages"?,
 *                       "python"?, "entrypoint"?, "app"?, "rolloutMillis"?}                                   (stream)
 * PUT    /v1/services/NAME/traffic   {"toLatest": true} | {"percents": {"REV": 90, ...},
 *                                     "tagPercents": {"TAG": 10, ...}} (a tag names a revision)
 * PUT    /v1/services/NAME/scaling   {"min"?, "max"?, "concurrency"?, "metric"?: "concurrency"|"cpu",
 *                                     "cpuTarget"? (cores per instance), "coolDownSeconds"? (0: the
 *                                     daemon's stable window)}
 * POST   /v1/services/NAME/env       {"set": {...}, "unset": [...]}                          (stream)
 * POST   /v1/services/NAME/rollback
 * GET    /v1/services/NAME/logs?revision=&amp;lines=      (what instances wrote, oldest first)
 * </pre>
 */
final class AdminApi implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AdminApi.class);
  static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  private static final ObjectWriter PRETTY = JSON.writerWithDefaultPrettyPrinter();

  private final AdminOperations operations;
  private final AdminToken token;
  private final Supplier<String> metrics;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private HttpServer server;

  AdminApi(AdminOperations operations, AdminToken token, Supplier<String> metrics) {
    this.operations = operations;
    this.token = token;
    this.metrics = metrics;
  }

  /** Listens on 127.0.0.1:{@code port} (0: a free port); returns the address. */
  InetSocketAddress start(int port) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
    return server.getAddress();
  }

  /** Serves {@code prefix} (the console) with {@code handler}, beside the API (after start). */
  void mount(String prefix, com.sun.net.httpserver.HttpHandler handler) {
    server.createContext(prefix, handler);
  }

  @Override
  public void close() {
    if (server != null) {
      server.stop(0);
    }
    executor.shutdownNow();
  }

  /**
   * The HTTP status of each kind of refusal: the one place the daemon's errors become HTTP. 422
   * means the request was understood but the app cannot be served as it is.
   */
  static int status(AdminError.Kind kind) {
    return switch (kind) {
      case INVALID -> 400;
      case UNAUTHENTICATED -> 401;
      case NOT_FOUND -> 404;
      case METHOD_NOT_ALLOWED -> 405;
      case CONFLICT -> 409;
      case APP_FAILED -> 422;
      case INTERNAL -> 500;
      case STOPPING -> 503;
    };
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      try {
        // Prometheus scrapes without a token; the admin port listens on loopback only.
        if (exchange.getRequestURI().getRawPath().equals("/metrics")) {
          requireMethod(exchange.getRequestMethod(), "GET");
          byte[] body = metrics.get().getBytes(StandardCharsets.UTF_8);
          exchange
              .getResponseHeaders()
              .set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          return;
        }
        if (!token.accepts(exchange.getRequestHeaders().getFirst("Authorization"))) {
          throw new AdminError(
              AdminError.Kind.UNAUTHENTICATED,
              "missing or wrong admin token",
              "send `Authorization: Bearer <token>` with the token in the state directory's "
                  + AdminToken.FILE);
        }
        route(exchange);
      } catch (AdminError e) {
        sendError(exchange, e);
      } catch (RuntimeException e) {
        log.error(
            "admin API request {} {} failed",
            exchange.getRequestMethod(),
            exchange.getRequestURI(),
            e);
        sendError(
            exchange,
            new AdminError(
                AdminError.Kind.INTERNAL,
                "the daemon failed: " + e.getMessage(),
                "see the daemon's log"));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        sendError(
            exchange,
            new AdminError(
                AdminError.Kind.STOPPING,
                "the daemon is stopping",
                "start it again with `pylon server`"));
      }
    }
  }

  private void route(HttpExchange exchange) throws IOException, AdminError, InterruptedException {
    String method = exchange.getRequestMethod();
    List<String> path = segments(exchange.getRequestURI().getRawPath());
    if (path.isEmpty() || !path.get(0).equals("v1")) {
      throw notFound(exchange);
    }
    List<String> rest = path.subList(1, path.size());
    String first = rest.isEmpty() ? "" : rest.get(0);
    switch (first) {
      case "health" -> {
        requireMethod(method, "GET");
        send(exchange, 200, operations.health());
      }
      case "services" -> services(exchange, method, rest.subList(1, rest.size()));
      case "deploy" -> {
        requireMethod(method, "POST");
        DeployRequest request = AdminOperations.deployRequest(body(exchange, DeployBody.class));
        stream(exchange, progress -> operations.deploy(request, progress));
      }
      case "events" -> {
        requireMethod(method, "GET");
        Map<String, String> query = query(exchange);
        int limit = parseInt(query.getOrDefault("limit", "100"), "limit");
        send(exchange, 200, operations.events(Optional.ofNullable(query.get("service")), limit));
      }
      case "scalers" -> {
        requireMethod(method, "GET");
        send(exchange, 200, operations.scalers());
      }
      case "instances" -> {
        requireMethod(method, "GET");
        send(exchange, 200, operations.instances());
      }
      default -> throw notFound(exchange);
    }
  }

  private void services(HttpExchange exchange, String method, List<String> rest)
      throws IOException, AdminError, InterruptedException {
    if (rest.isEmpty()) {
      requireMethod(method, "GET");
      send(exchange, 200, operations.services());
      return;
    }
    String name = rest.get(0);
    if (rest.size() == 1) {
      switch (method) {
        case "GET" -> send(exchange, 200, operations.service(name));
        case "DELETE" -> send(exchange, 200, operations.delete(name));
        default -> throw methodNotAllowed(method, "GET, DELETE");
      }
      return;
    }
    String what = rest.get(1);
    switch (what) {
      case "revisions" -> {
        requireMethod(method, "GET");
        send(exchange, 200, operations.revisions(name));
      }
      case "traffic" -> {
        requireMethod(method, "PUT");
        send(exchange, 200, operations.setTraffic(name, body(exchange, TrafficBody.class)));
      }
      case "scaling" -> {
        requireMethod(method, "PUT");
        send(exchange, 200, operations.setScaling(name, body(exchange, ScalingBody.class)));
      }
      case "env" -> {
        requireMethod(method, "POST");
        EnvBody request = body(exchange, EnvBody.class);
        operations.checkEnv(name, request);
        stream(
            exchange,
            progress ->
                switch (operations.updateEnv(name, request, progress)) {
                  case DeployView deployed -> deployed;
                  case EnvOutcome.Unchanged unchanged -> unchanged.service();
                });
      }
      case "logs" -> {
        requireMethod(method, "GET");
        Map<String, String> query = query(exchange);
        int lines = parseInt(query.getOrDefault("lines", "100"), "lines");
        send(
            exchange,
            200,
            operations.logs(name, Optional.ofNullable(query.get("revision")), lines));
      }
      case "rollback" -> {
        requireMethod(method, "POST");
        send(exchange, 200, operations.rollback(name));
      }
      default -> throw notFound(exchange);
    }
  }

  // ---- request and response plumbing

  private interface StreamedWork {
    Object run(BuildProgress progress) throws AdminError, InterruptedException;
  }

  /**
   * Answers 200 at once with a stream of JSON lines ({@link StreamLine}): steps and output lines
   * while the work goes, then its result or its error.
   */
  private void stream(HttpExchange exchange, StreamedWork work)
      throws IOException, InterruptedException {
    exchange.getResponseHeaders().set("Content-Type", "application/x-ndjson");
    exchange.sendResponseHeaders(200, 0);
    OutputStream out = exchange.getResponseBody();
    Object lock = new Object();
    BuildProgress progress =
        new BuildProgress() {
          @Override
          public void step(String description) {
            writeLine(out, lock, StreamLine.step(description));
          }

          @Override
          public void line(String outputLine) {
            writeLine(out, lock, StreamLine.line(outputLine));
          }
        };
    StreamLine last;
    try {
      last = StreamLine.result(work.run(progress));
    } catch (AdminError e) {
      last = StreamLine.error(errorView(e));
    }
    writeLine(out, lock, last);
  }

  private static void writeLine(OutputStream out, Object lock, StreamLine line) {
    synchronized (lock) {
      try {
        out.write((JSON.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
      } catch (IOException e) {
        // The client went away; the work goes on and its result stays in the store.
        log.debug("admin client went away: {}", e.getMessage());
      }
    }
  }

  private static ErrorView errorView(AdminError e) {
    return new ErrorView(status(e.kind()), e.getMessage(), e.hint(), e.details());
  }

  private static void sendError(HttpExchange exchange, AdminError e) throws IOException {
    if (exchange.getResponseCode() != -1) {
      return; // a stream already started; its own last line carries the error
    }
    send(exchange, status(e.kind()), errorView(e));
  }

  private static void send(HttpExchange exchange, int status, Object view) throws IOException {
    byte[] bytes = (PRETTY.writeValueAsString(view) + "\n").getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }

  /** The request body as a {@code type}: a JSON object (none: an empty one). */
  private static <T> T body(HttpExchange exchange, Class<T> type) throws IOException, AdminError {
    JsonNode node;
    try (InputStream in = exchange.getRequestBody()) {
      byte[] bytes = in.readNBytes(1 << 20);
      node = bytes.length == 0 ? JSON.createObjectNode() : JSON.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw AdminError.invalid("the request body is not JSON: " + e.getOriginalMessage(), "");
    }
    if (node == null || !node.isObject()) {
      throw AdminError.invalid("the request body must be a JSON object", "");
    }
    try {
      return JSON.treeToValue(node, type);
    } catch (JsonMappingException e) {
      throw AdminError.invalid(mismatch(e), "");
    }
  }

  /** What is wrong with a field of the body, in the words the API has always used. */
  private static String mismatch(JsonMappingException e) {
    List<JsonMappingException.Reference> path = e.getPath();
    String field =
        path.stream()
            .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
            .reduce((a, b) -> a + "." + b)
            .orElse("");
    if (path.size() == 2
        && List.of("percents", "tagPercents").contains(path.get(0).getFieldName())) {
      return "the share of " + path.get(1).getFieldName() + " is not a number";
    }
    return "the request's \"" + field + "\" is not valid: " + e.getOriginalMessage();
  }

  private static int parseInt(String text, String name) throws AdminError {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw AdminError.invalid(name + " must be a number, not \"" + text + "\"", "");
    }
  }

  private static Map<String, String> query(HttpExchange exchange) {
    return RequestUrls.fields(exchange.getRequestURI().getRawQuery());
  }

  private static List<String> segments(String rawPath) {
    return RequestUrls.segments(rawPath);
  }

  private static void requireMethod(String method, String allowed) throws AdminError {
    if (!method.equals(allowed)) {
      throw methodNotAllowed(method, allowed);
    }
  }

  private static AdminError methodNotAllowed(String method, String allowed) {
    return new AdminError(
        AdminError.Kind.METHOD_NOT_ALLOWED, method + " is not allowed here", "use " + allowed);
  }

  private static AdminError notFound(HttpExchange exchange) {
    return AdminError.notFound(
        "no such API path: " + exchange.getRequestURI().getPath(),
        "the API's paths start with /v1/");
  }
}
