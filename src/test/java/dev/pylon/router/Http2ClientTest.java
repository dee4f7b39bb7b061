package dev.pylon.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** HTTP/2 clients (the JDK's over TLS, h2load over h2c) through the router to an HTTP/1 app. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class Http2ClientTest {
  private Path dir;
  private TestUpstream app;
  private Router router;

  @BeforeEach
  void setUp() throws Exception {
    dir = Files.createTempDirectory("pylon-router-h2");
    app = new TestUpstream("a");
  }

  @AfterEach
  void tearDown() throws Exception {
    if (router != null) {
      router.close();
    }
    app.close();
    try (var files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Test
  void h2OverTlsStreamsConcurrentRequestsAndBodies() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "openssl is not installed");
    TlsFiles files = TestCertificates.make(dir, "h2");
    Path cert = files.certificateChain();
    Path key = files.privateKey();
    router =
        new Router(
            RouterConfig.defaults("127.0.0.1", 0).withIoThreads(1).withTls(new TlsFiles(cert, key)),
            AccessLog.none());
    InetSocketAddress address = router.start();
    router.publish(RoutingSnapshot.single(List.of(app.upstream(0))));
    try (HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_2)
            .sslContext(TestCertificates.trusting(cert))
            .build()) {
      String base = "https://127.0.0.1:" + address.getPort();
      List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        responses.add(
            client.sendAsync(
                HttpRequest.newBuilder(URI.create(base + "/echo?n=" + i)).build(),
                HttpResponse.BodyHandlers.ofString()));
      }
      for (int i = 0; i < 10; i++) {
        HttpResponse<String> r = responses.get(i).get(10, TimeUnit.SECONDS);
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body())
            .contains("request: GET /echo?n=" + i)
            .contains("h.x-forwarded-proto: [https]")
            .doesNotContain("x-http2");
      }
      byte[] upload = "payload-".repeat(50_000).getBytes(StandardCharsets.US_ASCII);
      HttpResponse<String> post =
          client.send(
              HttpRequest.newBuilder(URI.create(base + "/echo"))
                  .POST(HttpRequest.BodyPublishers.ofByteArray(upload))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(post.version()).isEqualTo(HttpClient.Version.HTTP_2);
      assertThat(post.body()).contains("body-length: " + upload.length);
      HttpResponse<InputStream> big =
          client.send(
              HttpRequest.newBuilder(URI.create(base + "/bytes?n=5000000")).build(),
              HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = big.body()) {
        assertThat(in.readAllBytes()).hasSize(5_000_000);
      }
    }
  }

  @Test
  void h2cWithPriorKnowledgeServesH2load() throws Exception {
    Path h2load = Path.of("/usr/bin/h2load");
    assumeTrue(Files.isExecutable(h2load), "h2load is not installed");
    router = new Router(RouterConfig.defaults("127.0.0.1", 0).withIoThreads(1), AccessLog.none());
    InetSocketAddress address = router.start();
    router.publish(RoutingSnapshot.single(List.of(app.upstream(0))));
    Process p =
        new ProcessBuilder(
                h2load.toString(),
                "-n",
                "200",
                "-c",
                "2",
                "-m",
                "10",
                "http://127.0.0.1:" + address.getPort() + "/echo")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(out).contains("200 succeeded").contains("200 2xx").contains("h2c");
    // plain HTTP/1.1 still works on the same port
    try (RawHttp c = new RawHttp(address)) {
      assertThat(c.send("GET /echo HTTP/1.1\r\nHost: h\r\n\r\n").read().status()).isEqualTo(200);
    }
  }
}
