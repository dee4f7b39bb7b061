package dev.pylon.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * When a pooled instance connection fails before answering, the request is sent once more on a new
 * connection if the instance cannot have acted on it: always for idempotent methods, and for others
 * only when the instance reset the connection with the request unread. The instance here
 * (keepalive_race.py) loses the keep-alive race on every reused connection, on purpose.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PooledConnectionResendTest {
  private PythonUpstream instance;
  private Router router;
  private InetSocketAddress address;

  @AfterEach
  void stop() throws Exception {
    if (router != null) {
      router.close();
    }
    if (instance != null) {
      instance.close();
    }
  }

  private void start(String mode, long requestBuffer) throws Exception {
    instance =
        PythonUpstream.start(
            "race-" + mode,
            "keepalive_race.py",
            (dir, port) ->
                List.of(
                    PythonUpstream.PYTHON.toString(),
                    dir.resolve("keepalive_race.py").toString(),
                    mode,
                    String.valueOf(port)),
            Duration.ofSeconds(10));
    router =
        new Router(
            RouterConfig.defaults("127.0.0.1", 0)
                .withIoThreads(1)
                .withUpstreamIdleTimeout(Duration.ofSeconds(10))
                .withRequestBuffering(requestBuffer),
            AccessLog.none());
    address = router.start();
    router.publish(
        RoutingSnapshot.single(List.of(new Upstream("i", "127.0.0.1", instance.port(), 0))));
  }

  private RawHttp.Response post(String body) throws Exception {
    try (RawHttp c = new RawHttp(address)) {
      return c.send(
              "POST /orders HTTP/1.1\r\nHost: h\r\nContent-Length: "
                  + body.length()
                  + "\r\n\r\n"
                  + body)
          .read();
    }
  }

  private RawHttp.Response get() throws Exception {
    try (RawHttp c = new RawHttp(address)) {
      return c.send("GET /orders HTTP/1.1\r\nHost: h\r\n\r\n").read();
    }
  }

  @Test
  void requestsThePooledConnectionResetUnreadAreSentAgainWithTheirBody() throws Exception {
    start("reset", 0);
    String body = "o".repeat(5000);
    assertThat(post(body).body()).isEqualTo("POST len=5000\n"); // a new connection, then pooled
    RawHttp.Response again = post(body); // the pooled one is reset: sent again on a new one
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.body()).isEqualTo("POST len=5000\n");
    RawHttp.Response read = get();
    assertThat(read.status()).isEqualTo(200);
    assertThat(read.body()).isEqualTo("GET len=0\n");
    assertThat(router.metrics().resends()).isEqualTo(2);
    assertThat(router.inFlight()).isZero();
  }

  @Test
  void aBodyTooLargeToKeepIsNotSentAgain() throws Exception {
    start("reset", 0);
    assertThat(get().status()).isEqualTo(200);
    String big = "b".repeat(ProxyExchange.RESEND_BODY_LIMIT + 1);
    assertThat(post(big).status()).isEqualTo(502);
    assertThat(router.metrics().resends()).isZero();
  }

  @Test
  void aPostTheInstanceReadBeforeClosingIsNotSentAgainButAGetIs() throws Exception {
    start("crash", 64 * 1024);
    assertThat(get().status()).isEqualTo(200);
    // the instance read this one whole and closed without an answer: it may have acted on it
    RawHttp.Response lost = post("pay 10 EUR");
    assertThat(lost.status()).isEqualTo(502);
    assertThat(router.metrics().resends()).isZero();
    assertThat(get().status()).isEqualTo(200);
    RawHttp.Response read = get(); // idempotent: safe to send again
    assertThat(read.status()).isEqualTo(200);
    assertThat(read.body()).isEqualTo("GET len=0\n");
    assertThat(router.metrics().resends()).isEqualTo(1);
    // a POST its client marked safe to repeat (Idempotency-Key) is sent again too
    try (RawHttp c = new RawHttp(address)) {
      RawHttp.Response keyed =
          c.send(
                  "POST /orders HTTP/1.1\r\nHost: h\r\nIdempotency-Key: \"k-1\"\r\n"
                      + "Content-Length: 4\r\n\r\npay!")
              .read();
      assertThat(keyed.status()).isEqualTo(200);
      assertThat(keyed.body()).isEqualTo("POST len=4\n");
    }
    assertThat(router.metrics().resends()).isEqualTo(2);
  }
}
