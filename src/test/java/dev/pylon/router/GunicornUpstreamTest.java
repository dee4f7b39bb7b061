package dev.pylon.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The router in front of a real gunicorn (gthread worker, as Pylon runs WSGI apps). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GunicornUpstreamTest {
  private static PythonUpstream gunicorn;
  private static Router router;
  private static InetSocketAddress address;

  @BeforeAll
  static void start() throws Exception {
    gunicorn = PythonUpstream.gunicorn("wsgi_app.py", 4);
    router = new Router(RouterConfig.defaults("127.0.0.1", 0).withIoThreads(1), AccessLog.none());
    address = router.start();
    router.publish(
        RoutingSnapshot.single(List.of(new Upstream("g", "127.0.0.1", gunicorn.port(), 0))));
  }

  @AfterAll
  static void stop() throws Exception {
    if (router != null) {
      router.close();
    }
    if (gunicorn != null) {
      gunicorn.close();
    }
  }

  @Test
  void forwardsHeadersAndKeepsConnectionsAlive() throws Exception {
    try (RawHttp c = new RawHttp(address)) {
      for (int i = 0; i < 5; i++) {
        RawHttp.Response r =
            c.send("GET /hello HTTP/1.1\r\nHost: app.test\r\nX-Request-Id: req-" + i + "\r\n\r\n")
                .read();
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body())
            .contains("path=/hello")
            .contains("xff=127.0.0.1")
            .contains("xfp=http")
            .contains("xfh=app.test")
            .contains("rid=req-" + i);
      }
    }
  }

  @Test
  void chunkedUploadArrivesWhole() throws Exception {
    byte[] block = "0123456789abcdef".repeat(4096).getBytes(StandardCharsets.US_ASCII);
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    try (RawHttp c = new RawHttp(address)) {
      c.send("POST /upload HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n");
      for (int i = 0; i < 16; i++) {
        c.output().write((Integer.toHexString(block.length) + "\r\n").getBytes());
        c.output().write(block);
        c.output().write("\r\n".getBytes());
        sha.update(block);
      }
      RawHttp.Response r = c.send("0\r\n\r\n").read();
      assertThat(r.body())
          .contains("len=" + 16 * block.length)
          .contains("sha=" + HexFormat.of().formatHex(sha.digest()));
    }
  }

  @Test
  void streamedResponseArrivesInPieces() throws Exception {
    try (RawHttp c = new RawHttp(address)) {
      c.send("GET /stream HTTP/1.1\r\nHost: h\r\n\r\n");
      InputStream in = c.inputForTest();
      byte[] buf = new byte[1024];
      StringBuilder seen = new StringBuilder();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (!seen.toString().contains("data: 0") && System.nanoTime() < deadline) {
        seen.append(new String(buf, 0, in.read(buf), StandardCharsets.UTF_8));
      }
      // the app sleeps 0.2 s between events: the first one is here before the last is written
      assertThat(seen.toString()).contains("data: 0").doesNotContain("data: 2");
    }
  }
}
