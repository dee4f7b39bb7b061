package dev.pylon.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * HTTP/1.1 clients that ask for {@code Upgrade: h2c} (RFC 7540 3.2): real clients (curl, nghttp)
 * switch to HTTP/2 and get the first response on stream 1; anything malformed is refused as over
 * HTTP/1.1; over TLS the header means nothing. The instance is a real hypercorn spoken to over
 * HTTP/1.1, so its answers show what crossed the router.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class H2cUpgradeTest {
  private static final String UPGRADE_HEADERS =
      "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n";
  private static PythonUpstream hypercorn;
  private Router router;
  private Path dir;

  @BeforeAll
  static void startHypercorn() throws Exception {
    hypercorn = Hypercorn.start(5);
  }

  @AfterAll
  static void stopHypercorn() throws Exception {
    if (hypercorn != null) {
      hypercorn.close();
    }
  }

  @AfterEach
  void stopRouter() throws IOException {
    if (router != null) {
      router.close();
    }
    if (dir != null) {
      try (var files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private InetSocketAddress start(RouterConfig config) {
    router = new Router(config.withIoThreads(1), AccessLog.none());
    InetSocketAddress address = router.start();
    router.publish(
        RoutingSnapshot.single(List.of(new Upstream("h", "127.0.0.1", hypercorn.port(), 0))));
    return address;
  }

  private static String run(String... command) throws Exception {
    assumeTrue(Files.isExecutable(Path.of(command[0])), command[0] + " is not installed");
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    return out;
  }

  @Test
  void curlUpgradesAndGetsTheFirstResponseOverHttp2() throws Exception {
    InetSocketAddress address = start(RouterConfig.defaults("127.0.0.1", 0));
    String url = "http://127.0.0.1:" + address.getPort() + "/first";
    String out = run("/usr/bin/curl", "-sv", "--http2", url, url.replace("first", "second"));
    assertThat(out)
        .contains("< HTTP/1.1 101 Switching Protocols")
        .contains("< upgrade: h2c")
        .contains("< HTTP/2 200")
        .contains("\"path\": \"/first\"")
        .contains("\"path\": \"/second\"")
        .contains("\"http_version\": \"1.1\"") // the instance is spoken to over HTTP/1.1
        .doesNotContain("\"http2-settings\"")
        .doesNotContain("\"content-length\"")
        .doesNotContain("\"upgrade\":");
  }

  @Test
  void nghttpUpgradesAndMultiplexes() throws Exception {
    InetSocketAddress address = start(RouterConfig.defaults("127.0.0.1", 0));
    String base = "http://127.0.0.1:" + address.getPort();
    String out = run("/usr/bin/nghttp", "-u", "-v", base + "/one", base + "/two", base + "/three");
    assertThat(out)
        .contains("HTTP Upgrade success")
        .contains("(stream_id=1) :status: 200")
        .contains("\"path\": \"/one\"")
        .contains("\"path\": \"/two\"")
        .contains("\"path\": \"/three\"");
  }

  @Test
  void anUpgradeRequestArrivingInPiecesStillUpgrades() throws Exception {
    InetSocketAddress address = start(RouterConfig.defaults("127.0.0.1", 0));
    try (Socket socket = new Socket("127.0.0.1", address.getPort())) {
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      out.write("GET /split HTTP/1.1\r\nHost: h\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      Thread.sleep(200); // the router sees the first bytes alone
      out.write((UPGRADE_HEADERS + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertThat(readHead(socket.getInputStream())).startsWith("HTTP/1.1 101");
    }
  }

  @Test
  void aRequestWithABodyIsAnsweredOverHttp11() throws Exception {
    InetSocketAddress address = start(RouterConfig.defaults("127.0.0.1", 0));
    String out =
        run(
            "/usr/bin/curl",
            "-sv",
            "--http2",
            "--data-binary",
            "hello",
            "http://127.0.0.1:" + address.getPort() + "/post");
    assertThat(out)
        .contains("> Upgrade: h2c")
        .doesNotContain(" 101 ")
        .contains("< HTTP/1.1 200")
        .contains("\"body_length\": 5");
  }

  @Test
  void malformedUpgradeRequestsAreRefusedNotUpgraded() throws Exception {
    InetSocketAddress address = start(RouterConfig.defaults("127.0.0.1", 0));
    List<String> bad =
        List.of(
            "GET / HTTP/1.1\r\nHost: h\r\n" + UPGRADE_HEADERS + "X-Folded: a\r\n b\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: h\r\nHost: other\r\n" + UPGRADE_HEADERS + "\r\n",
            "GET / HTTP/1.1\r\n" + UPGRADE_HEADERS + "\r\n",
            "GET //evil HTTP/1.1\r\nHost: h\r\n" + UPGRADE_HEADERS + "\r\n",
            "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\nContent-Length: 0\r\n"
                + UPGRADE_HEADERS
                + "\r\n");
    for (String request : bad) {
      try (RawHttp c = new RawHttp(address)) {
        RawHttp.Response r = c.send(request).read();
        assertThat(r.status()).as(request).isEqualTo(400);
        assertThat(c.closedByPeer()).as(request).isTrue();
      }
    }
  }

  @Test
  void upgradesThatCannotHappenAreServedOverHttp11() throws Exception {
    InetSocketAddress address = start(RouterConfig.defaults("127.0.0.1", 0));
    List<String> notUpgraded =
        List.of(
            // HTTP2-Settings not valid base64url settings
            "GET /a HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
                + "HTTP2-Settings: !!!\r\n\r\n",
            // two HTTP2-Settings headers
            "GET /b HTTP/1.1\r\nHost: h\r\n"
                + UPGRADE_HEADERS
                + "HTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n",
            // Connection does not name HTTP2-Settings
            "GET /c HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n"
                + "HTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n",
            // HTTP/1.0 cannot upgrade
            "GET /d HTTP/1.0\r\nHost: h\r\n" + UPGRADE_HEADERS + "\r\n");
    for (String request : notUpgraded) {
      try (RawHttp c = new RawHttp(address)) {
        RawHttp.Response r = c.send(request).read();
        assertThat(r.status()).as(request).isEqualTo(200);
        assertThat(r.body()).contains("\"http_version\": \"1.1\"").doesNotContain("\"upgrade\"");
      }
    }
    // only a connection's first request may upgrade
    try (RawHttp c = new RawHttp(address)) {
      assertThat(c.send("GET /1 HTTP/1.1\r\nHost: h\r\n\r\n").read().status()).isEqualTo(200);
      RawHttp.Response second =
          c.send("GET /2 HTTP/1.1\r\nHost: h\r\n" + UPGRADE_HEADERS + "\r\n").read();
      assertThat(second.status()).isEqualTo(200);
      assertThat(second.body()).contains("\"path\": \"/2\"");
    }
  }

  @Test
  void overTlsTheUpgradeHeaderIsIgnored() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "openssl is not installed");
    dir = Files.createTempDirectory("pylon-router-h2c-tls");
    TlsFiles files = TestCertificates.make(dir, "h2c");
    InetSocketAddress address = start(RouterConfig.defaults("127.0.0.1", 0).withTls(files));
    try (SSLSocket socket =
        (SSLSocket)
            TestCertificates.trusting(files.certificateChain())
                .getSocketFactory()
                .createSocket("127.0.0.1", address.getPort())) {
      socket.setSoTimeout(5000);
      socket
          .getOutputStream()
          .write(
              ("GET /tls HTTP/1.1\r\nHost: h\r\nConnection: close\r\n"
                      + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      String response =
          new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      assertThat(response).startsWith("HTTP/1.1 200").contains("\"path\": \"/tls\"");
    }
  }

  /**
   * After the switch the connection belongs to HTTP/2: the HTTP/1.1 header-read timer must not
   * close it, and it answers HTTP/2 frames (a PING here).
   */
  @Test
  void theUpgradedConnectionIsServedAsHttp2() throws Exception {
    InetSocketAddress address =
        start(
            RouterConfig.defaults("127.0.0.1", 0)
                .withClientTimeouts(
                    Duration.ofMillis(400), Duration.ofSeconds(60), Duration.ofSeconds(60)));
    try (Socket socket = new Socket("127.0.0.1", address.getPort())) {
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      out.write(
          ("GET /raw HTTP/1.1\r\nHost: h\r\n" + UPGRADE_HEADERS + "\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String head = readHead(in);
      assertThat(head).startsWith("HTTP/1.1 101").containsIgnoringCase("upgrade: h2c");
      Thread.sleep(1000); // longer than the header-read timeout
      ByteArrayOutputStream frames = new ByteArrayOutputStream();
      frames.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      frames.write(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0}); // empty SETTINGS
      frames.write(new byte[] {0, 0, 8, 6, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8}); // PING
      out.write(frames.toByteArray());
      out.flush();
      List<String> seen = new ArrayList<>();
      DataInputStream frameIn = new DataInputStream(in);
      boolean pingAcked = false;
      boolean stream1Ended = false;
      while (!(pingAcked && stream1Ended)) {
        int length;
        try {
          length = (frameIn.readUnsignedByte() << 16) | frameIn.readUnsignedShort();
        } catch (EOFException e) {
          throw new AssertionError("connection closed; frames seen: " + seen, e);
        }
        int type = frameIn.readUnsignedByte();
        int flags = frameIn.readUnsignedByte();
        int stream = frameIn.readInt() & 0x7fffffff;
        frameIn.readNBytes(length);
        seen.add("type=" + type + " flags=" + flags + " stream=" + stream);
        pingAcked |= type == 6 && (flags & 1) != 0;
        stream1Ended |= stream == 1 && (type == 0 || type == 1) && (flags & 1) != 0;
      }
      assertThat(seen).anyMatch(f -> f.startsWith("type=1 ") && f.endsWith("stream=1"));
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b == -1) {
        throw new EOFException("closed in the response head: " + head);
      }
      head.write(b);
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }
}
