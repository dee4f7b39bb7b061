package dev.pylon.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The router in front of a real uvicorn with two workers. Such a uvicorn writes a response's head
 * and body in two small sends with Nagle's algorithm on, so the body waits for the ACK of the head;
 * a receiver that delays its ACKs (Linux: 40 ms) makes every keep-alive request take 40 ms. The
 * router acknowledges at once, so requests through it do not wait.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UvicornUpstreamTest {
  private static final Path PYTHON = Path.of("/usr/bin/python3");
  private static final int REQUESTS = 200;
  private static Process uvicorn;
  private static Router router;
  private static InetSocketAddress address;
  private static Path dir;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(Files.isExecutable(PYTHON), "Debian python3 with uvicorn is not installed");
    dir = Files.createTempDirectory("pylon-router-uvicorn");
    try (InputStream app = UvicornUpstreamTest.class.getResourceAsStream("/router/asgi_app.py")) {
      Files.copy(app, dir.resolve("asgi_app.py"));
    }
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    uvicorn =
        new ProcessBuilder(
                PYTHON.toString(),
                "-m",
                "uvicorn",
                "--app-dir",
                dir.toString(),
                "--host",
                "127.0.0.1",
                "--port",
                String.valueOf(port),
                "--workers",
                "2",
                "--log-level",
                "warning",
                "--no-access-log",
                "asgi_app:app")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("uvicorn.log").toFile())
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!accepts(port)) {
      assumeTrue(
          uvicorn.isAlive(),
          "uvicorn did not start: " + Files.readString(dir.resolve("uvicorn.log")));
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("uvicorn did not listen within 20 s");
      }
      Thread.sleep(50);
    }
    router = new Router(RouterConfig.defaults("127.0.0.1", 0).withIoThreads(1), AccessLog.none());
    address = router.start();
    router.publish(RoutingSnapshot.single(List.of(new Upstream("u", "127.0.0.1", port, 0))));
  }

  @AfterAll
  static void stop() throws Exception {
    if (router != null) {
      router.close();
    }
    if (uvicorn != null) {
      uvicorn.descendants().forEach(ProcessHandle::destroy);
      uvicorn.destroy();
      if (!uvicorn.waitFor(5, TimeUnit.SECONDS)) {
        uvicorn.destroyForcibly();
      }
    }
    if (dir != null) {
      try (var files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static boolean accepts(int port) {
    try {
      new Socket("127.0.0.1", port).close();
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  void keepAliveRequestsDoNotWaitForDelayedAcks() throws Exception {
    try (RawHttp c = new RawHttp(address)) {
      c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n").read(); // connects to uvicorn outside the clock
      long start = System.nanoTime();
      for (int i = 0; i < REQUESTS; i++) {
        RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n").read();
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("Hello, World!\n");
      }
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      // waiting for each delayed ACK would take 200 x 40 ms = 8 s; without it this takes well
      // under a second even on a loaded machine
      assertThat(millis)
          .as("%d keep-alive requests through the router took %d ms", REQUESTS, millis)
          .isLessThan(4000);
    }
  }
}
