package dev.pylon.router;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small real HTTP/1.1 server (the JDK's) standing in for an app instance.
 *
 * <ul>
 *   <li>{@code /echo}: request line, headers and body digest as text
 *   <li>{@code /bytes?n=N}: N bytes, streamed with chunked encoding
 *   <li>{@code /sse}: one event, then waits for {@link #releaseSse}, then a second event
 *   <li>{@code /slow?ms=N}: answers after N ms
 *   <li>{@code /hold}: answers after {@link #releaseHeld}
 * </ul>
 */
final class TestUpstream implements AutoCloseable {
  final String name;
  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(32);
  final AtomicInteger requests = new AtomicInteger();
  final AtomicInteger active = new AtomicInteger();
  final Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();
  volatile CountDownLatch sseGate = new CountDownLatch(1);
  volatile CountDownLatch holdGate = new CountDownLatch(1);

  TestUpstream(String name) throws IOException {
    this.name = name;
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  Upstream upstream(int maxConcurrency) {
    return new Upstream(name, "127.0.0.1", port(), maxConcurrency);
  }

  void releaseSse() {
    sseGate.countDown();
  }

  void releaseHeld() {
    holdGate.countDown();
  }

  private void handle(HttpExchange ex) throws IOException {
    requests.incrementAndGet();
    active.incrementAndGet();
    clientPorts.add(ex.getRemoteAddress().getPort());
    try (ex) {
      String path = ex.getRequestURI().getPath();
      Map<String, String> query = query(ex.getRequestURI().getRawQuery());
      switch (path) {
        case "/bytes" -> bytes(ex, Long.parseLong(query.getOrDefault("n", "0")));
        case "/sse" -> sse(ex);
        case "/slow" -> {
          sleep(Long.parseLong(query.getOrDefault("ms", "100")));
          text(ex, 200, name);
        }
        case "/hold" -> {
          await(holdGate);
          text(ex, 200, name);
        }
        default -> echo(ex);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      // the router may cut connections on purpose in tests
    } finally {
      active.decrementAndGet();
    }
  }

  private void echo(HttpExchange ex) throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    long length = 0;
    try (InputStream in = ex.getRequestBody()) {
      byte[] buf = new byte[65536];
      int n;
      while ((n = in.read(buf)) > 0) {
        sha.update(buf, 0, n);
        length += n;
      }
    }
    StringBuilder sb = new StringBuilder();
    sb.append("upstream: ").append(name).append('\n');
    sb.append("request: ")
        .append(ex.getRequestMethod())
        .append(' ')
        .append(ex.getRequestURI())
        .append('\n');
    TreeMap<String, List<String>> sorted = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    ex.getRequestHeaders().forEach(sorted::put);
    sorted.forEach(
        (k, v) -> sb.append("h.").append(k.toLowerCase()).append(": ").append(v).append('\n'));
    sb.append("body-length: ").append(length).append('\n');
    sb.append("body-sha256: ").append(HexFormat.of().formatHex(sha.digest())).append('\n');
    ex.getResponseHeaders().add("X-Upstream", name);
    ex.getResponseHeaders().add("Connection", "X-Secret");
    ex.getResponseHeaders().add("X-Secret", "hop-by-hop, must not reach the client");
    ex.getResponseHeaders().add("Keep-Alive", "timeout=5");
    text(ex, 200, sb.toString());
  }

  private static void bytes(HttpExchange ex, long n) throws IOException {
    ex.sendResponseHeaders(200, 0);
    byte[] block = new byte[64 * 1024];
    for (int i = 0; i < block.length; i++) {
      block[i] = (byte) ('a' + i % 26);
    }
    try (OutputStream out = ex.getResponseBody()) {
      long left = n;
      while (left > 0) {
        int chunk = (int) Math.min(block.length, left);
        out.write(block, 0, chunk);
        left -= chunk;
      }
    }
  }

  private void sse(HttpExchange ex) throws Exception {
    ex.getResponseHeaders().add("Content-Type", "text/event-stream");
    ex.sendResponseHeaders(200, 0);
    OutputStream out = ex.getResponseBody();
    out.write("data: first\n\n".getBytes(StandardCharsets.UTF_8));
    out.flush();
    await(sseGate);
    out.write("data: second\n\n".getBytes(StandardCharsets.UTF_8));
    out.close();
  }

  private static void text(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "text/plain");
    ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new TreeMap<>();
    if (raw != null) {
      for (String pair : raw.split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          out.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
      }
    }
    return out;
  }

  private static void sleep(long ms) throws InterruptedException {
    Thread.sleep(ms);
  }

  private static void await(CountDownLatch latch) throws InterruptedException {
    if (!latch.await(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException("test gate never opened");
    }
  }

  @Override
  public void close() {
    holdGate.countDown();
    sseGate.countDown();
    server.stop(0);
    executor.shutdownNow();
  }
}
