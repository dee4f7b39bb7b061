package dev.pylon.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hand-rolled fuzzing: valid requests mutated at random (bytes inserted, deleted, duplicated lines,
 * framing headers added). Whatever arrives, the router answers or closes, never forwards more than
 * the one request a case sends, leaks no in-flight count, and keeps serving.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RequestFuzzTest {
  private static final long SEED = 20261123L;
  private static final int CASES = 200;
  // Connection: close lets a served case end at once instead of idling out its keep-alive.
  private static final String[] SEEDS = {
    "GET /echo?a=1 HTTP/1.1\r\nHost: h\r\nAccept: */*\r\nConnection: close\r\n\r\n",
    "POST /echo HTTP/1.1\r\nHost: h\r\nConnection: close\r\nContent-Length: 5\r\n\r\nhello",
    "POST /echo HTTP/1.1\r\nHost: h\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "5\r\nhello\r\n0\r\n\r\n",
    "HEAD / HTTP/1.0\r\n\r\n",
    "PUT /x HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\nExpect: 100-continue\r\n\r\n",
  };
  private static final String[] INSERTS = {
    "\r",
    "\n",
    "\r\n",
    " ",
    "\t",
    "\u0000",
    ":",
    ",",
    "\r\n\r\n",
    "\r\n ",
    "Content-Length: 3\r\n",
    "Transfer-Encoding: chunked\r\n",
    "Host: other\r\n",
    "Transfer-Encoding: identity\r\n",
    "0\r\n\r\n",
    "\u00ff",
  };

  private TestUpstream app;
  private Router router;
  private InetSocketAddress address;

  @BeforeEach
  void start() throws Exception {
    app = new TestUpstream("fuzz");
    RouterConfig config =
        RouterConfig.defaults("127.0.0.1", 0)
            .withIoThreads(1)
            .withClientTimeouts(
                Duration.ofMillis(200), Duration.ofMillis(200), Duration.ofMillis(200));
    router = new Router(config, AccessLog.none());
    address = router.start();
    router.publish(RoutingSnapshot.single(List.of(app.upstream(0))));
  }

  @AfterEach
  void stop() {
    router.close();
    app.close();
  }

  @Test
  void mutatedRequestsNeverSmuggleOrWedgeTheRouter() throws Exception {
    Random random = new Random(SEED);
    for (int i = 0; i < CASES; i++) {
      String request = mutate(SEEDS[random.nextInt(SEEDS.length)], random);
      int before = app.requests.get();
      exchange(request);
      assertThat(settledRequestCount() - before)
          .as("case %d forwarded more than one request: %s", i, printable(request))
          .isLessThanOrEqualTo(1);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (router.inFlight() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(router.inFlight()).isZero();
    try (RawHttp c = new RawHttp(address)) {
      assertThat(c.send("GET /echo HTTP/1.1\r\nHost: h\r\n\r\n").read().status()).isEqualTo(200);
    }
  }

  /** The instance's request count once the router is idle and the count stops moving. */
  private int settledRequestCount() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (router.inFlight() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    int seen;
    do {
      seen = app.requests.get();
      Thread.sleep(10);
    } while (seen != app.requests.get() || app.active.get() > 0);
    return seen;
  }

  /** Sends, then reads until the router closes or goes quiet; either is fine, hanging is not. */
  private void exchange(String request) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(address, 2000);
      s.setSoTimeout(2000);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[4096];
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
      while (System.nanoTime() < deadline) {
        int n = in.read(buf);
        if (n < 0) {
          return;
        }
      }
      throw new AssertionError("router neither answered nor closed: " + printable(request));
    } catch (java.net.SocketTimeoutException quiet) {
      // waiting for more input from a request that claims more is allowed; the timeouts end it
    } catch (java.net.SocketException reset) {
      // closed with unread input: a reset is a close
    }
  }

  private static String mutate(String seed, Random random) {
    StringBuilder sb = new StringBuilder(seed);
    int mutations = 1 + random.nextInt(3);
    for (int m = 0; m < mutations; m++) {
      int at = random.nextInt(sb.length() + 1);
      switch (random.nextInt(5)) {
        case 0 -> sb.insert(at, INSERTS[random.nextInt(INSERTS.length)]);
        case 1 -> {
          if (at < sb.length()) {
            sb.deleteCharAt(at);
          }
        }
        case 2 -> {
          if (at < sb.length()) {
            sb.setCharAt(at, (char) random.nextInt(256));
          }
        }
        case 3 -> {
          int lineStart = sb.lastIndexOf("\r\n", Math.max(0, at - 1));
          int lineEnd = sb.indexOf("\r\n", at);
          if (lineStart >= 0 && lineEnd > lineStart) {
            sb.insert(lineEnd, sb.substring(lineStart, lineEnd));
          }
        }
        default -> sb.insert(at, random.nextBoolean() ? '\r' : '\n');
      }
    }
    return sb.toString();
  }

  private static String printable(String s) {
    return s.replace("\r", "\\r").replace("\n", "\\n").replace("\u0000", "\\0");
  }
}
