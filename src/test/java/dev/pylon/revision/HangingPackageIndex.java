package dev.pylon.revision;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A package index on 127.0.0.1 that lists one wheel and then never finishes sending it: pip stays
 * in the middle of an install for as long as a test needs to interrupt or kill it.
 */
final class HangingPackageIndex implements AutoCloseable {
  private final HttpServer server;
  private final CountDownLatch downloadStarted = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);

  HangingPackageIndex(String distribution) throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    String wheel = distribution.replace('-', '_') + "-1.0-py3-none-any.whl";
    server.createContext(
        "/simple/" + distribution + "/",
        exchange -> {
          byte[] page =
              ("<html><body><a href=\"/files/" + wheel + "\">" + wheel + "</a></body></html>")
                  .getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "text/html");
          exchange.sendResponseHeaders(200, page.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(page);
          }
        });
    server.createContext(
        "/files/",
        exchange -> {
          exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
          exchange.sendResponseHeaders(200, 100_000);
          downloadStarted.countDown();
          try {
            release.await(60, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          exchange.close();
        });
    server.createContext(
        "/",
        exchange -> {
          exchange.sendResponseHeaders(404, -1);
          exchange.close();
        });
    server.start();
  }

  /** The index URL for {@code PIP_INDEX_URL}. */
  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/simple/";
  }

  /** Waits until pip is downloading the wheel, that is: in the middle of the install. */
  boolean awaitDownload(long seconds) throws InterruptedException {
    return downloadStarted.await(seconds, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    release.countDown();
    server.stop(0);
  }
}
