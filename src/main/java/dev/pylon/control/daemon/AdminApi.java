package dev.pylon.control.daemon;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.pylon.autoscale.ScalingMetric;
import dev.pylon.revision.BuildProgress;
import dev.pylon.runtime.InstanceStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API: JSON over HTTP on loopback, every call authenticated with the bearer token. Errors
 * are {@code {"error": ..., "hint": ...}} with a fitting status. Deploys and env changes answer
 * with a stream of JSON lines (progress, then the result or the error), so the CLI can show
 * progress as it happens.
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
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Store store;
  private final Deployer deployer;
  private final Reconciler reconciler;
  private final RevisionLogs logs;
  private final AdminToken token;
  private final Clock clock;
  private final Supplier<String> metrics;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private HttpServer server;

  AdminApi(
      Store store,
      Deployer deployer,
      Reconciler reconciler,
      RevisionLogs logs,
      AdminToken token,
      Clock clock,
      Supplier<String> metrics) {
    this.metrics = metrics;
    this.logs = logs;
    this.store = store;
    this.deployer = deployer;
    this.reconciler = reconciler;
    this.token = token;
    this.clock = clock;
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
          throw new ApiException(
              401,
              "missing or wrong admin token",
              "send `Authorization: Bearer <token>` with the token in the state directory's "
                  + AdminToken.FILE);
        }
        route(exchange);
      } catch (ApiException e) {
        sendError(exchange, e);
      } catch (RuntimeException e) {
        log.error(
            "admin API request {} {} failed",
            exchange.getRequestMethod(),
            exchange.getRequestURI(),
            e);
        sendError(
            exchange,
            new ApiException(500, "the daemon failed: " + e.getMessage(), "see the daemon's log"));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        sendError(
            exchange,
            new ApiException(503, "the daemon is stopping", "start it again with `pylon server`"));
      }
    }
  }

  private void route(HttpExchange exchange) throws IOException, ApiException, InterruptedException {
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
        ObjectNode node = JSON.createObjectNode();
        node.put("ok", true);
        node.put("pid", ProcessHandle.current().pid());
        node.put("schemaVersion", store.schemaVersion());
        send(exchange, 200, node);
      }
      case "services" -> services(exchange, method, rest.subList(1, rest.size()));
      case "deploy" -> {
        requireMethod(method, "POST");
        JsonNode body = body(exchange);
        String dir = requiredText(body, "path");
        DeployRequest request =
            new DeployRequest(
                Path.of(dir),
                optionalText(body, "service"),
                body.path("noTraffic").asBoolean(false),
                optionalText(body, "tag"),
                body.path("systemSitePackages").asBoolean(false),
                optionalText(body, "python"),
                optionalText(body, "entrypoint"),
                optionalText(body, "app"),
                Duration.ofMillis(Math.max(0, body.path("rolloutMillis").asLong(0))));
        stream(exchange, progress -> deployJson(deployer.deploy(request, progress)));
      }
      case "events" -> {
        requireMethod(method, "GET");
        Map<String, String> query = query(exchange);
        int limit = parseInt(query.getOrDefault("limit", "100"), "limit");
        ArrayNode events = JSON.createArrayNode();
        for (EventRecord event : store.events(Optional.ofNullable(query.get("service")), limit)) {
          ObjectNode node = events.addObject();
          node.put("at", event.at().toString());
          node.put("service", event.service());
          node.put("revision", event.revision());
          node.put("instance", event.instance());
          node.put("kind", event.kind());
          node.put("detail", event.detail());
        }
        send(exchange, 200, events);
      }
      case "scalers" -> {
        requireMethod(method, "GET");
        ArrayNode all = JSON.createArrayNode();
        reconciler.scales().values().stream()
            .sorted(java.util.Comparator.comparing(RevisionScale::revision))
            .forEach(
                scale -> {
                  ObjectNode node = all.addObject();
                  node.put("revision", scale.revision());
                  node.put("service", scale.service());
                  node.put("ready", scale.ready());
                  node.put("desired", scale.desired());
                  node.put("metric", Scaling.name(scale.metric()));
                  node.put("targetPerInstance", scale.targetPerInstance());
                  node.put("unit", scale.metric().unit());
                  node.put("stableWindowSeconds", scale.stableWindow().toMillis() / 1000.0);
                  node.put("mode", scale.mode());
                  node.put("reason", scale.reason());
                });
        send(exchange, 200, all);
      }
      case "instances" -> {
        requireMethod(method, "GET");
        ArrayNode all = JSON.createArrayNode();
        reconciler.instances().entrySet().stream()
            .sorted(Map.Entry.comparingByKey())
            .forEach(
                entry -> {
                  for (InstanceStatus status : entry.getValue()) {
                    ObjectNode node = all.addObject();
                    node.put("revision", entry.getKey());
                    node.put("name", status.name());
                    node.put("state", status.state().name().toLowerCase(java.util.Locale.ROOT));
                    node.put("port", status.port());
                    node.put("pid", status.pid());
                    node.put("starts", status.starts());
                    node.put("since", status.since().toString());
                  }
                });
        send(exchange, 200, all);
      }
      default -> throw notFound(exchange);
    }
  }

  private void services(HttpExchange exchange, String method, List<String> rest)
      throws IOException, ApiException, InterruptedException {
    if (rest.isEmpty()) {
      requireMethod(method, "GET");
      ArrayNode all = JSON.createArrayNode();
      for (ServiceRecord service : store.services()) {
        all.add(serviceJson(service));
      }
      send(exchange, 200, all);
      return;
    }
    String name = rest.get(0);
    if (rest.size() == 1) {
      switch (method) {
        case "GET" -> send(exchange, 200, serviceJson(service(name)));
        case "DELETE" -> {
          deployer.delete(name);
          ObjectNode node = JSON.createObjectNode();
          node.put("deleted", name);
          send(exchange, 200, node);
        }
        default -> throw methodNotAllowed(method, "GET, DELETE");
      }
      return;
    }
    String what = rest.get(1);
    switch (what) {
      case "revisions" -> {
        requireMethod(method, "GET");
        ServiceRecord service = service(name);
        List<RevisionRecord> revisions = store.revisions(name);
        ServingPlan plan = ServingPlan.of(service, revisions);
        ArrayNode all = JSON.createArrayNode();
        for (RevisionRecord revision : revisions) {
          all.add(revisionJson(revision, plan));
        }
        send(exchange, 200, all);
      }
      case "traffic" -> {
        requireMethod(method, "PUT");
        JsonNode body = body(exchange);
        Map<String, Integer> percents = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : body.path("percents").properties()) {
          if (!entry.getValue().canConvertToInt()) {
            throw new ApiException(400, "the share of " + entry.getKey() + " is not a number", "");
          }
          percents.put(entry.getKey(), entry.getValue().asInt());
        }
        if (!body.path("tagPercents").isEmpty()) {
          Map<String, String> tags = ServingPlan.of(service(name), store.revisions(name)).tags();
          for (Map.Entry<String, JsonNode> entry : body.path("tagPercents").properties()) {
            String revision = tags.get(entry.getKey());
            if (revision == null) {
              throw new ApiException(
                  404,
                  name + " has no revision tagged " + entry.getKey(),
                  "see its tags with `pylon revisions " + name + "`");
            }
            if (!entry.getValue().canConvertToInt()) {
              throw new ApiException(
                  400, "the share of " + entry.getKey() + " is not a number", "");
            }
            percents.merge(revision, entry.getValue().asInt(), Integer::sum);
          }
        }
        boolean toLatest = body.path("toLatest").asBoolean(false);
        if (toLatest == !percents.isEmpty()) {
          throw new ApiException(
              400,
              "say either where the traffic goes (percents) or that it follows the latest revision",
              "use --to-revisions R1=90,R2=10, --to-tags T1=90,T2=10 or --to-latest");
        }
        deployer.setTraffic(name, percents, toLatest);
        send(exchange, 200, serviceJson(service(name)));
      }
      case "scaling" -> {
        requireMethod(method, "PUT");
        JsonNode body = body(exchange);
        Scaling old = service(name).scaling();
        Scaling scaling;
        try {
          scaling =
              new Scaling(
                      body.path("min").asInt(old.min()),
                      body.path("max").asInt(old.max()),
                      body.path("concurrency").asInt(old.concurrency()))
                  .withCoolDown(old.coolDown());
          ScalingMetric metric = old.metric();
          if (body.hasNonNull("metric")) {
            metric =
                Scaling.metricNamed(body.path("metric").asText())
                    .orElseThrow(
                        () ->
                            new IllegalArgumentException(
                                "\""
                                    + body.path("metric").asText()
                                    + "\" is not a metric the daemon scales on"));
          } else if (body.hasNonNull("cpuTarget")) {
            metric = ScalingMetric.CPU; // a CPU target means scaling on CPU
          }
          if (metric == ScalingMetric.CPU) {
            double cores = body.path("cpuTarget").asDouble(old.cpuTarget());
            if (cores == 0) {
              cores = ScalingMetric.CPU.defaultTarget(); // App Engine's 50% of one core
            }
            scaling = scaling.onCpu(cores);
          }
          if (body.hasNonNull("coolDownSeconds")) {
            double seconds = body.path("coolDownSeconds").asDouble();
            scaling =
                scaling.withCoolDown(
                    seconds == 0
                        ? Optional.empty()
                        : Optional.of(Duration.ofMillis(Math.round(seconds * 1000))));
          }
        } catch (IllegalArgumentException e) {
          throw new ApiException(
              400,
              e.getMessage(),
              "for example --min 1 --max 5 --concurrency 80, or --cpu-target 0.6 --cool-down 2m");
        }
        store.setScaling(name, scaling);
        store.addEvent(clock.instant(), name, "", "", "scaled", scaling.toString());
        reconciler.poke();
        send(exchange, 200, serviceJson(service(name)));
      }
      case "env" -> {
        requireMethod(method, "POST");
        JsonNode body = body(exchange);
        Map<String, String> set = new LinkedHashMap<>();
        body.path("set").properties().forEach(e -> set.put(e.getKey(), e.getValue().asText()));
        List<String> unset = new ArrayList<>();
        body.path("unset").forEach(n -> unset.add(n.asText()));
        for (String key : set.keySet()) {
          if (!key.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new ApiException(
                400, "\"" + key + "\" is not a variable name", "use letters, digits and _");
          }
        }
        service(name);
        stream(
            exchange,
            progress -> {
              Optional<DeployResult> result = deployer.updateEnv(name, set, unset, progress);
              return result.isPresent() ? deployJson(result.get()) : serviceJson(service(name));
            });
      }
      case "logs" -> {
        requireMethod(method, "GET");
        service(name);
        Map<String, String> query = query(exchange);
        int lines = parseInt(query.getOrDefault("lines", "100"), "lines");
        List<String> revisions =
            query.containsKey("revision")
                ? List.of(query.get("revision"))
                : store.revisions(name).stream().map(RevisionRecord::id).toList();
        List<JsonNode> all = new ArrayList<>();
        for (String revision : revisions) {
          for (String line : logs.tail(revision, lines)) {
            ObjectNode node = (ObjectNode) JSON.readTree(line);
            node.put("revision", revision);
            all.add(node);
          }
        }
        all.sort(java.util.Comparator.comparing(n -> n.path("time").asText()));
        ArrayNode answer = JSON.createArrayNode();
        answer.addAll(all.subList(Math.max(0, all.size() - lines), all.size()));
        send(exchange, 200, answer);
      }
      case "rollback" -> {
        requireMethod(method, "POST");
        RevisionRecord revision = deployer.rollback(name);
        ObjectNode node = serviceJson(service(name));
        node.put("rolledBackTo", revision.id());
        send(exchange, 200, node);
      }
      default -> throw notFound(exchange);
    }
  }

  // ---- JSON views

  private ObjectNode serviceJson(ServiceRecord service) {
    List<RevisionRecord> revisions = store.revisions(service.name());
    ServingPlan plan = ServingPlan.of(service, revisions);
    ObjectNode node = JSON.createObjectNode();
    node.put("name", service.name());
    node.put("url", deployer.serviceUrl(service.name()));
    node.put("created", service.created().toString());
    node.put("revisions", revisions.size());
    ObjectNode scaling = node.putObject("scaling");
    scaling.put("min", service.scaling().min());
    scaling.put("max", service.scaling().max());
    scaling.put("concurrency", service.scaling().concurrency());
    scaling.put("metric", service.scaling().metricName());
    if (service.scaling().metric() == ScalingMetric.CPU) {
      scaling.put("cpuTarget", service.scaling().cpuTarget());
    }
    scaling.put("target", service.scaling().target());
    service
        .scaling()
        .coolDown()
        .ifPresent(d -> scaling.put("coolDownSeconds", d.toMillis() / 1000.0));
    ObjectNode env = node.putObject("env");
    service.env().forEach(env::put);
    ArrayNode traffic = node.putArray("traffic");
    for (TrafficTarget target : service.traffic()) {
      ObjectNode line = traffic.addObject();
      if (target.revision().isPresent()) {
        line.put("revision", target.revision().get());
      } else {
        line.put("latest", true);
        revisions.stream()
            .filter(RevisionRecord::everReady)
            .reduce((a, b) -> b)
            .ifPresent(r -> line.put("revision", r.id()));
      }
      line.put("percent", target.percent());
      target.tag().ifPresent(tag -> line.put("tag", tag));
    }
    ObjectNode split = node.putObject("serving");
    plan.weights().forEach(split::put);
    return node;
  }

  private ObjectNode revisionJson(RevisionRecord revision, ServingPlan plan) {
    ObjectNode node = JSON.createObjectNode();
    node.put("id", revision.id());
    node.put("service", revision.service());
    node.put("number", revision.number());
    node.put("created", revision.created().toString());
    node.put("ready", revision.everReady());
    node.put("percent", plan.weights().getOrDefault(revision.id(), 0));
    ArrayNode tags = node.putArray("tags");
    plan.tags()
        .forEach(
            (tag, id) -> {
              if (id.equals(revision.id())) {
                tags.add(tag);
              }
            });
    node.put("python", revision.python());
    revision.venv().ifPresent(venv -> node.put("venv", venv));
    try {
      node.set("build", JSON.readTree(revision.summary()));
    } catch (JsonProcessingException e) {
      node.put("build", revision.summary());
    }
    ObjectNode env = node.putObject("env");
    revision.env().forEach(env::put);
    return node;
  }

  private ObjectNode deployJson(DeployResult result) {
    ObjectNode node = JSON.createObjectNode();
    node.put("revision", result.revision().id());
    node.put("service", result.revision().service());
    node.put("serving", result.serving());
    node.put("url", result.url());
    return node;
  }

  // ---- request and response plumbing

  private ServiceRecord service(String name) throws ApiException {
    return store.service(name).orElseThrow(() -> ApiException.noService(name));
  }

  private interface StreamedWork {
    JsonNode run(BuildProgress progress) throws ApiException, InterruptedException;
  }

  /**
   * Answers 200 at once with a stream of JSON lines: {@code {"event":"step","message":...}} and
   * {@code {"event":"line","line":...}} while the work goes, then {@code {"event":"result",
   * "result":...}} or {@code {"event":"error","status":...,"error":...,"hint":...}}.
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
            ObjectNode node = JSON.createObjectNode();
            node.put("event", "step");
            node.put("message", description);
            writeLine(out, lock, node);
          }

          @Override
          public void line(String outputLine) {
            ObjectNode node = JSON.createObjectNode();
            node.put("event", "line");
            node.put("line", outputLine);
            writeLine(out, lock, node);
          }
        };
    ObjectNode last = JSON.createObjectNode();
    try {
      JsonNode result = work.run(progress);
      last.put("event", "result");
      last.set("result", result);
    } catch (ApiException e) {
      last.put("event", "error");
      last.setAll(errorJson(e));
    }
    writeLine(out, lock, last);
  }

  private static void writeLine(OutputStream out, Object lock, JsonNode node) {
    synchronized (lock) {
      try {
        out.write((node.toString() + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
      } catch (IOException e) {
        // The client went away; the work goes on and its result stays in the store.
        log.debug("admin client went away: {}", e.getMessage());
      }
    }
  }

  private static ObjectNode errorJson(ApiException e) {
    ObjectNode node = JSON.createObjectNode();
    node.put("status", e.status());
    node.put("error", e.getMessage());
    node.put("hint", e.hint());
    if (!e.details().isEmpty()) {
      ArrayNode details = node.putArray("details");
      e.details().forEach(details::add);
    }
    return node;
  }

  private static void sendError(HttpExchange exchange, ApiException e) throws IOException {
    if (exchange.getResponseCode() != -1) {
      return; // a stream already started; its own last line carries the error
    }
    send(exchange, e.status(), errorJson(e));
  }

  private static void send(HttpExchange exchange, int status, JsonNode body) throws IOException {
    byte[] bytes = (body.toPrettyString() + "\n").getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }

  private static JsonNode body(HttpExchange exchange) throws IOException, ApiException {
    try (InputStream in = exchange.getRequestBody()) {
      byte[] bytes = in.readNBytes(1 << 20);
      if (bytes.length == 0) {
        return JSON.createObjectNode();
      }
      JsonNode node = JSON.readTree(bytes);
      if (node == null || !node.isObject()) {
        throw new ApiException(400, "the request body must be a JSON object", "");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new ApiException(400, "the request body is not JSON: " + e.getOriginalMessage(), "");
    }
  }

  private static String requiredText(JsonNode body, String field) throws ApiException {
    JsonNode value = body.get(field);
    if (value == null || !value.isTextual() || value.asText().isBlank()) {
      throw new ApiException(400, "the request needs \"" + field + "\"", "");
    }
    return value.asText();
  }

  private static Optional<String> optionalText(JsonNode body, String field) {
    JsonNode value = body.get(field);
    return value == null || value.isNull() || value.asText().isBlank()
        ? Optional.empty()
        : Optional.of(value.asText());
  }

  private static int parseInt(String text, String name) throws ApiException {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new ApiException(400, name + " must be a number, not \"" + text + "\"", "");
    }
  }

  private static Map<String, String> query(HttpExchange exchange) {
    Map<String, String> query = new LinkedHashMap<>();
    String raw = exchange.getRequestURI().getRawQuery();
    if (raw == null) {
      return query;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        query.put(
            URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return query;
  }

  private static List<String> segments(String rawPath) {
    List<String> segments = new ArrayList<>();
    for (String part : rawPath.split("/")) {
      if (!part.isEmpty()) {
        segments.add(URLDecoder.decode(part, StandardCharsets.UTF_8));
      }
    }
    return segments;
  }

  private static void requireMethod(String method, String allowed) throws ApiException {
    if (!method.equals(allowed)) {
      throw methodNotAllowed(method, allowed);
    }
  }

  private static ApiException methodNotAllowed(String method, String allowed) {
    return new ApiException(405, method + " is not allowed here", "use " + allowed);
  }

  private static ApiException notFound(HttpExchange exchange) {
    return new ApiException(
        404,
        "no such API path: " + exchange.getRequestURI().getPath(),
        "the API's paths start with /v1/");
  }
}
