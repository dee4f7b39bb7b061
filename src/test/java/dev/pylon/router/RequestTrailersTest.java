package dev.pylon.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A chunked request's trailer section may not carry fields that frame, route or authenticate it
 * (RFC 9110 6.5.1): an instance that merged them into the head would see another request than the
 * router routed. They never reach the instance; allowed trailer fields do.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RequestTrailersTest {
  private ServerSocket instance;
  private Router router;

  @AfterEach
  void stop() throws IOException {
    if (router != null) {
      router.close();
    }
    if (instance != null) {
      instance.close();
    }
  }

  /** What the instance read: everything up to the end of one chunked request. */
  private CompletableFuture<String> instanceReadsOneRequest() {
    CompletableFuture<String> received = new CompletableFuture<>();
    Thread.ofVirtual()
        .start(
            () -> {
              try (Socket s = instance.accept()) {
                InputStream in = s.getInputStream();
                ByteArrayOutputStream seen = new ByteArrayOutputStream();
                while (!seen.toString(StandardCharsets.ISO_8859_1).contains("\r\n0\r\n")
                    || !seen.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                  int b = in.read();
                  if (b < 0) {
                    break;
                  }
                  seen.write(b);
                }
                s.getOutputStream()
                    .write(
                        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                            .getBytes(StandardCharsets.ISO_8859_1));
                received.complete(seen.toString(StandardCharsets.ISO_8859_1));
              } catch (IOException e) {
                received.completeExceptionally(e);
              }
            });
    return received;
  }

  @Test
  void framingRoutingAndAuthenticationFieldsInTrailersNeverReachTheInstance() throws Exception {
    instance = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    router = new Router(RouterConfig.defaults("127.0.0.1", 0).withIoThreads(1), AccessLog.none());
    InetSocketAddress address = router.start();
    router.publish(
        RoutingSnapshot.single(
            List.of(new Upstream("i", "127.0.0.1", instance.getLocalPort(), 0))));
    CompletableFuture<String> received = instanceReadsOneRequest();
    try (RawHttp c = new RawHttp(address)) {
      RawHttp.Response r =
          c.send(
                  "POST /upload HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                      + "5\r\nhello\r\n0\r\n"
                      + "Content-Length: 99\r\n"
                      + "Host: evil.example\r\n"
                      + "Transfer-Encoding: gzip\r\n"
                      + "Authorization: Bearer stolen\r\n"
                      + "X-Forwarded-For: 10.9.9.9\r\n"
                      + "Content-Type: application/evil\r\n"
                      + "X-Checksum: 5d41402a\r\n"
                      + "\r\n")
              .read();
      assertThat(r.status()).isEqualTo(200);
    }
    String seen = received.get(10, TimeUnit.SECONDS);
    String trailers = seen.substring(seen.indexOf("\r\n0\r\n") + 5);
    assertThat(trailers).contains("X-Checksum: 5d41402a").doesNotContainIgnoringCase("content-");
    assertThat(seen)
        .doesNotContain("evil")
        .doesNotContainPattern("(?i)content-length\\s*:\\s*99")
        .doesNotContain("gzip")
        .doesNotContain("stolen")
        .doesNotContain("10.9.9.9");
  }
}
