package dev.pylon.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --tls self-signed}: HTTPS with HTTP/2 by ALPN, the app told the scheme was https. */
class TlsIT {
  @TempDir Path state;

  @Test
  void servesHttpsAndHttp2WithTheCertificateItMadeAndKept() throws Exception {
    int port = Http.freePort();
    try (PylonProcess pylon =
        PylonProcess.serving(
            Map.of(), state, port, "examples/hello", "--instances", "1", "--tls", "self-signed")) {
      HttpClient client =
          HttpClient.newBuilder()
              .sslContext(trusting(state.resolve("tls/localhost.crt")))
              .version(HttpClient.Version.HTTP_2)
              .build();
      HttpResponse<String> response =
          client.send(
              HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/headers")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).contains("\"X-Forwarded-Proto\": \"https\"");
      assertThat(Files.getPosixFilePermissions(state.resolve("tls/localhost.key")))
          .hasSize(2); // owner read and write only
      pylon.signal("TERM");
      pylon.awaitExit(Duration.ofSeconds(30));
    }
  }

  private static SSLContext trusting(Path certificate) throws Exception {
    KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
    trusted.load(null, null);
    try (InputStream in = Files.newInputStream(certificate)) {
      trusted.setCertificateEntry(
          "pylon", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(trusted);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return context;
  }
}
