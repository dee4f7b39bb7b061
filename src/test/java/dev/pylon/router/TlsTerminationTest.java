package dev.pylon.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** HTTPS in front of a plain-HTTP instance, with certificates made by the openssl tool. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TlsTerminationTest {
  private Path dir;
  private TestUpstream app;
  private Router router;

  @BeforeEach
  void setUp() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "openssl is not installed");
    dir = Files.createTempDirectory("pylon-router-tls");
    app = new TestUpstream("a");
  }

  @AfterEach
  void tearDown() throws Exception {
    if (router != null) {
      router.close();
    }
    if (app != null) {
      app.close();
    }
    if (dir != null) {
      try (var files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  void servesHttpsAndTellsTheAppTheSchemeWasHttps() throws Exception {
    TlsFiles files = TestCertificates.make(dir, "first");
    router =
        new Router(
            RouterConfig.defaults("127.0.0.1", 0).withIoThreads(1).withTls(files),
            AccessLog.none());
    InetSocketAddress address = router.start();
    router.publish(RoutingSnapshot.single(List.of(app.upstream(0))));
    try (HttpClient client =
        HttpClient.newBuilder()
            .sslContext(TestCertificates.trusting(files.certificateChain()))
            .build()) {
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + address.getPort() + "/echo"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).contains("h.x-forwarded-proto: [https]").contains("proto=https");
    }
  }

  @Test
  void picksUpARenewedCertificateWithoutRestart() throws Exception {
    TlsFiles files = TestCertificates.make(dir, "first");
    router =
        new Router(
            RouterConfig.defaults("127.0.0.1", 0).withIoThreads(1).withTls(files),
            AccessLog.none());
    InetSocketAddress address = router.start();
    router.publish(RoutingSnapshot.single(List.of(app.upstream(0))));
    assertThat(servedCommonName(address, files)).contains("CN=first");
    TestCertificates.make(dir, "second");
    Instant later = Instant.now().plusSeconds(5);
    Files.setLastModifiedTime(files.certificateChain(), FileTime.from(later));
    Files.setLastModifiedTime(files.privateKey(), FileTime.from(later));
    router.reloadTls();
    assertThat(servedCommonName(address, files)).contains("CN=second");
  }

  @Test
  void unusableFilesAreAClearError() throws Exception {
    Path cert = Files.writeString(dir.resolve("cert.pem"), "not a certificate");
    Path key = Files.writeString(dir.resolve("key.pem"), "not a key");
    Router broken =
        new Router(
            RouterConfig.defaults("127.0.0.1", 0).withTls(new TlsFiles(cert, key)),
            AccessLog.none());
    assertThatThrownBy(broken::start)
        .isInstanceOf(RouterTlsException.class)
        .hasMessageContaining(cert.toString())
        .hasMessageContaining("PEM");
    broken.close();
  }

  private String servedCommonName(InetSocketAddress address, TlsFiles files) throws Exception {
    try (SSLSocket socket =
        (SSLSocket)
            TestCertificates.trusting(files.certificateChain())
                .getSocketFactory()
                .createSocket("127.0.0.1", address.getPort())) {
      socket.startHandshake();
      X509Certificate served = (X509Certificate) socket.getSession().getPeerCertificates()[0];
      return served.getSubjectX500Principal().getName();
    }
  }
}
