package dev.pylon.runtime;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A local stand-in for the Compute Engine metadata server that App Engine and Cloud Run code
 * queries ({@code /computeMetadata/v1/...}), announced to instances as {@code
 * GCE_METADATA_HOST=}{@link #hostPort()} (the variable Google's client libraries honour). It keeps
 * the real server's rules: a request must carry {@code Metadata-Flavor: Google} (or {@code
 * X-Google-Metadata-Request: True}) and must not carry {@code X-Forwarded-For}; answers carry
 * {@code Metadata-Flavor: Google}. It serves the project, the instance, its zone and region, and
 * the loopback as both internal and external IP. It has no service account and so no tokens: code
 * asking for credentials gets 404, as on a VM without a service account.
 */
public final class MetadataServer implements AutoCloseable {
  private static final String ROOT = "/computeMetadata/v1/";

  /**
   * What the server reports.
   *
   * @param projectId the project id ({@code GOOGLE_CLOUD_PROJECT})
   * @param numericProjectId the project number
   * @param zone e.g. {@code local-a}
   * @param region e.g. {@code local}
   * @param instanceId the instance id
   * @param hostname the instance's host name
   */
  public record Values(
      String projectId,
      long numericProjectId,
      String zone,
      String region,
      String instanceId,
      String hostname) {
    public static Values local(String projectId) {
      return new Values(projectId, 0, "local-a", "local", "1", "localhost");
    }
  }

  private final HttpServer server;
  private final ExecutorService executor;
  private final Map<String, String> leaves = new TreeMap<>();

  private MetadataServer(HttpServer server, Values values) {
    this.server = server;
    this.executor = Executors.newVirtualThreadPerTaskExecutor();
    String project = "projects/" + values.numericProjectId();
    leaves.put("project/project-id", values.projectId());
    leaves.put("project/numeric-project-id", Long.toString(values.numericProjectId()));
    leaves.put("instance/id", values.instanceId());
    leaves.put("instance/hostname", values.hostname());
    leaves.put("instance/zone", project + "/zones/" + values.zone());
    leaves.put("instance/region", project + "/regions/" + values.region());
    leaves.put("instance/network-interfaces/0/ip", "127.0.0.1");
    leaves.put("instance/network-interfaces/0/access-configs/0/external-ip", "127.0.0.1");
    server.setExecutor(executor);
    server.createContext("/", this::handle);
  }

  /** Starts a server on a free port of 127.0.0.1. */
  public static MetadataServer start(Values values) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    MetadataServer metadata = new MetadataServer(server, values);
    server.start();
    return metadata;
  }

  /** The value for {@code GCE_METADATA_HOST}: {@code 127.0.0.1:<port>}. */
  public String hostPort() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      var request = exchange.getRequestHeaders();
      boolean flavored =
          "Google".equals(request.getFirst("Metadata-Flavor"))
              || "True".equalsIgnoreCase(request.getFirst("X-Google-Metadata-Request"));
      if (request.containsKey("X-Forwarded-For")) {
        reply(exchange, 403, "Requests with X-Forwarded-For are refused.\n");
      } else if (!exchange.getRequestMethod().equals("GET")) {
        reply(exchange, 405, "Only GET is supported.\n");
      } else if (exchange.getRequestURI().getPath().equals("/")) {
        reply(exchange, 200, "computeMetadata/\n");
      } else if (!flavored) {
        reply(exchange, 403, "Missing Metadata-Flavor: Google header.\n");
      } else {
        answer(exchange, exchange.getRequestURI().getPath());
      }
    }
  }

  private void answer(HttpExchange exchange, String path) throws IOException {
    if (!path.startsWith(ROOT) && !path.equals(ROOT.substring(0, ROOT.length() - 1))) {
      reply(exchange, 404, "Not found.\n");
      return;
    }
    String key = path.length() >= ROOT.length() ? path.substring(ROOT.length()) : "";
    String leaf = leaves.get(key);
    if (leaf != null) {
      reply(exchange, 200, leaf);
      return;
    }
    String dir = key.isEmpty() || key.endsWith("/") ? key : key + "/";
    TreeSet<String> children = new TreeSet<>();
    for (String name : leaves.keySet()) {
      if (name.startsWith(dir)) {
        String rest = name.substring(dir.length());
        int slash = rest.indexOf('/');
        children.add(slash < 0 ? rest : rest.substring(0, slash + 1));
      }
    }
    if (children.isEmpty()) {
      reply(exchange, 404, "Not found.\n");
    } else if (!key.isEmpty() && !key.endsWith("/")) {
      // The real server redirects a directory without its slash.
      exchange.getResponseHeaders().set("Location", path + "/");
      reply(exchange, 301, "");
    } else {
      reply(exchange, 200, String.join("\n", children) + "\n");
    }
  }

  private static void reply(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Metadata-Flavor", "Google");
    exchange.getResponseHeaders().set("Content-Type", "application/text");
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.close();
  }
}
