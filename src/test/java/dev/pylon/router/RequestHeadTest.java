package dev.pylon.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the instance gets of a request's head, and what the exchange learns from it. */
class RequestHeadTest {
  private static final RouterContext ROUTER =
      new RouterContext(
          RouterConfig.defaults("127.0.0.1", 0),
          Transport.best(),
          new RouterMetrics(),
          AccessLog.none());
  private static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 8080);
  private static final InetSocketAddress CLIENT = new InetSocketAddress("10.1.2.3", 50000);

  private static RequestHead rewrite(HttpRequest request) {
    return RequestHead.rewrite(request, LOCAL, CLIENT, ROUTER);
  }

  @Test
  void anAbsoluteFormTargetBecomesAPathAndItsAuthorityTheHost() {
    HttpRequest r =
        new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "http://a.test/x?q=1");
    r.headers().set("Host", "a.test");
    RequestHead head = rewrite(r);
    assertThat(r.uri()).isEqualTo("/x?q=1");
    assertThat(head.host).isEqualTo("a.test");
    assertThat(head.path).isEqualTo("/x");
    assertThat(head.target).isEqualTo("http://a.test/x?q=1"); // as the client sent it, for the log
  }

  @Test
  void hopByHopFieldsGoAndForwardingFieldsComeFromTheRouter() {
    HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.POST, "/orders");
    r.headers()
        .set("Host", "shop.test")
        .set("Connection", "keep-alive, X-Secret")
        .set("X-Secret", "1")
        .set("Keep-Alive", "timeout=5")
        .set("X-Forwarded-For", "6.6.6.6")
        .set("Content-Length", "4");
    RequestHead head = rewrite(r);
    assertThat(r.protocolVersion()).isEqualTo(HttpVersion.HTTP_1_1);
    assertThat(r.headers().names()).doesNotContain("Connection", "X-Secret", "Keep-Alive");
    assertThat(r.headers().get("X-Forwarded-For")).isEqualTo("10.1.2.3"); // not a trusted proxy
    assertThat(r.headers().get("X-Request-Id")).isEqualTo(head.requestId).isNotBlank();
    assertThat(r.headers().get("traceparent")).isNotBlank();
    assertThat(head.clientHttp11).isFalse();
    assertThat(head.hasBody).isTrue();
    assertThat(head.idempotentMethod).isFalse();
    assertThat(head.idempotencyKey()).isFalse();
  }

  @Test
  void withoutAHostTheRoutersOwnAddressIsTheHostAndOptionsStarRoutesLikeTheRoot() {
    HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.OPTIONS, "*");
    RequestHead head = rewrite(r);
    assertThat(head.host).isEqualTo("127.0.0.1:8080");
    assertThat(r.headers().get("Host")).isEqualTo("127.0.0.1:8080");
    assertThat(head.path).isEqualTo("/");
    assertThat(head.idempotentMethod).isTrue();
  }

  @Test
  void aWellFormedRequestIdIsKeptAndAWebSocketUpgradePassesThrough() {
    HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/ws");
    r.headers()
        .set("Host", "h")
        .set("X-Request-Id", "abc-1")
        .set("Upgrade", "websocket")
        .set("Connection", "Upgrade")
        .set("Idempotency-Key", "k");
    RequestHead head = rewrite(r);
    assertThat(head.requestId).isEqualTo("abc-1");
    assertThat(head.webSocket).isTrue();
    assertThat(r.headers().get("Upgrade")).isEqualTo("websocket");
    assertThat(r.headers().get("Connection")).isEqualTo("upgrade");
    assertThat(head.idempotencyKey()).isTrue();
    assertThat(head.bufferBodyFirst(64 * 1024)).isFalse(); // no body
  }

  @Test
  void aBodyIsReadFirstOnlyWhenItFitsAndNobodyWaitsFor100Continue() {
    HttpRequest small = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.PUT, "/f");
    small.headers().set("Host", "h").set("Content-Length", "100");
    assertThat(rewrite(small).bufferBodyFirst(1024)).isTrue();
    assertThat(rewrite(small).bufferBodyFirst(0)).isFalse();
    HttpRequest big = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.PUT, "/f");
    big.headers().set("Host", "h").set("Content-Length", "5000");
    assertThat(rewrite(big).bufferBodyFirst(1024)).isFalse();
    HttpRequest waits = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.PUT, "/f");
    waits.headers().set("Host", "h").set("Content-Length", "100").set("Expect", "100-continue");
    assertThat(rewrite(waits).bufferBodyFirst(1024)).isFalse();
    assertThat(List.of(rewrite(waits).idempotentMethod)).containsExactly(true);
  }
}
