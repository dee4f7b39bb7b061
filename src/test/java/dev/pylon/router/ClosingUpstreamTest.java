package dev.pylon.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An instance that closes every connection after its response, as gunicorn's sync worker does: each
 * request gets a new connection, over IPv4 (the router's plain IPv4 sockets) and over IPv6 (its
 * dual-stack ones), and the client's own connection stays open across them.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ClosingUpstreamTest {

  @Test
  void eachRequestToAnIpv4InstanceThatClosesGetsANewConnection() throws Exception {
    try (ClosingServer app = new ClosingServer(InetAddress.getByName("127.0.0.1"))) {
      assertEveryRequestAnsweredOnOwnConnection(app, "127.0.0.1");
    }
  }

  @Test
  void eachRequestToAnIpv6InstanceThatClosesGetsANewConnection() throws Exception {
    InetAddress loopback6;
    try {
      loopback6 = InetAddress.getByName("::1");
      new ServerSocket(0, 1, loopback6).close();
    } catch (IOException e) {
      assumeTrue(false, "no IPv6 loopback here: " + e);
      return;
    }
    try (ClosingServer app = new ClosingServer(loopback6)) {
      assertEveryRequestAnsweredOnOwnConnection(app, "::1");
    }
  }

  private static void assertEveryRequestAnsweredOnOwnConnection(ClosingServer app, String host)
      throws Exception {
    try (Router router =
        new Router(RouterConfig.defaults("127.0.0.1", 0).withIoThreads(1), AccessLog.none())) {
      InetSocketAddress address = router.start();
      router.publish(RoutingSnapshot.single(List.of(new Upstream("a", host, app.port(), 0))));
      try (RawHttp client = new RawHttp(address)) {
        for (int i = 0; i < 5; i++) {
          client.send("GET /n" + i + " HTTP/1.1\r\nHost: example.test\r\n\r\n");
          RawHttp.Response r = client.read();
          assertThat(r.status()).isEqualTo(200);
          assertThat(r.body()).isEqualTo("answer to GET /n" + i);
          assertThat(r.headers()).doesNotContainEntry("connection", "close");
        }
      }
      assertThat(app.accepted()).isEqualTo(5);
    }
  }

  /** Answers one request per connection with {@code Connection: close}, then closes it. */
  private static final class ClosingServer implements AutoCloseable {
    private final ServerSocket server;
    private final AtomicInteger accepted = new AtomicInteger();
    private final Thread thread;

    ClosingServer(InetAddress bind) throws IOException {
      server = new ServerSocket(0, 50, bind);
      thread = Thread.ofPlatform().daemon().start(this::serve);
    }

    int port() {
      return server.getLocalPort();
    }

    int accepted() {
      return accepted.get();
    }

    private void serve() {
      while (!server.isClosed()) {
        try (Socket s = server.accept()) {
          accepted.incrementAndGet();
          String requestLine = readHead(s.getInputStream());
          byte[] body =
              ("answer to " + requestLine.substring(0, requestLine.lastIndexOf(' ')))
                  .getBytes(StandardCharsets.US_ASCII);
          OutputStream out = s.getOutputStream();
          out.write(
              ("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: "
                      + body.length
                      + "\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
          out.write(body);
          out.flush();
        } catch (IOException e) {
          // closed at the end of the test, or the router dropped a connection: next one
        }
      }
    }

    private static String readHead(InputStream in) throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int b;
      while ((b = in.read()) != -1) {
        head.write(b);
        String text = head.toString(StandardCharsets.US_ASCII);
        if (text.endsWith("\r\n\r\n")) {
          return text.substring(0, text.indexOf("\r\n"));
        }
      }
      throw new IOException("connection closed before the request head ended");
    }

    @Override
    public void close() throws IOException {
      server.close();
      try {
        thread.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
