package dev.pylon.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** With request buffering on, a slow upload reaches the instance only once it is complete. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RequestBufferingTest {
  private TestUpstream app;
  private Router router;
  private InetSocketAddress address;

  @BeforeEach
  void start() throws Exception {
    app = new TestUpstream("a");
    router =
        new Router(
            RouterConfig.defaults("127.0.0.1", 0).withIoThreads(1).withRequestBuffering(64 * 1024),
            AccessLog.none());
    address = router.start();
    router.publish(RoutingSnapshot.single(List.of(app.upstream(0))));
  }

  @AfterEach
  void stop() {
    router.close();
    app.close();
  }

  @Test
  void slowSmallUploadIsHeldUntilComplete() throws Exception {
    try (RawHttp c = new RawHttp(address)) {
      c.send("POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 9\r\n\r\nabc");
      Thread.sleep(150);
      c.send("def");
      Thread.sleep(150);
      assertThat(app.requests.get()).as("instance not bothered before the body is in").isZero();
      RawHttp.Response r = c.send("ghi").read();
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).contains("body-length: 9");
    }
  }

  @Test
  void chunkedUploadIsHeldUntilComplete() throws Exception {
    try (RawHttp c = new RawHttp(address)) {
      c.send("POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n");
      Thread.sleep(150);
      assertThat(app.requests.get()).isZero();
      RawHttp.Response r = c.send("0\r\n\r\n").read();
      assertThat(r.body()).contains("body-length: 3").contains("h.transfer-encoding: [chunked]");
    }
  }

  @Test
  void largeUploadStreamsOnceTheBufferIsFull() throws Exception {
    byte[] block = new byte[32 * 1024];
    try (RawHttp c = new RawHttp(address)) {
      c.send("POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n");
      for (int i = 0; i < 4; i++) {
        c.output().write((Integer.toHexString(block.length) + "\r\n").getBytes());
        c.output().write(block);
        c.output().write("\r\n".getBytes());
      }
      c.output().flush();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (app.requests.get() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(app.requests.get()).as("past 64 KiB the body streams").isEqualTo(1);
      RawHttp.Response r = c.send("0\r\n\r\n").read();
      assertThat(r.body()).contains("body-length: " + 4 * block.length);
    }
  }

  @Test
  void expectContinueIsNotBuffered() throws Exception {
    try (RawHttp c = new RawHttp(address)) {
      c.send("POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n");
      assertThat(c.read().status()).isEqualTo(100);
      assertThat(c.send("hi").read().body()).contains("body-length: 2");
    }
  }
}
