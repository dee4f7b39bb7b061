package dev.pylon.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pure header rules: hop-by-hop removal, forwarding headers, ids, trusted proxies. */
class HeaderRewritingTest {

  @Test
  void removesFixedHopByHopHeadersAndThoseNamedInConnection() {
    HttpHeaders h = new DefaultHttpHeaders();
    h.add("Connection", "keep-alive, X-One");
    h.add("Connection", "x-two");
    h.add("X-One", "1").add("X-Two", "2").add("X-Three", "3");
    h.add("Keep-Alive", "timeout=5").add("Proxy-Connection", "close").add("TE", "trailers");
    h.add("Trailer", "X-Sum").add("Transfer-Encoding", "chunked").add("Upgrade", "h2c");
    h.add("Host", "example.test").add("Content-Length", "3");
    HopByHopHeaders.strip(h);
    assertThat(h.names()).containsExactlyInAnyOrder("X-Three", "Host", "Content-Length");
  }

  @Test
  void connectionCannotRemoveHostOrContentLength() {
    HttpHeaders h = new DefaultHttpHeaders();
    h.add("Connection", "Host, Content-Length");
    h.add("Host", "a").add("Content-Length", "0");
    HopByHopHeaders.strip(h);
    assertThat(h.get("Host")).isEqualTo("a");
    assertThat(h.get("Content-Length")).isEqualTo("0");
  }

  @Test
  void trustedProxyHopsAreAppendedTo() throws Exception {
    HttpHeaders h = new DefaultHttpHeaders();
    h.add("X-Forwarded-For", "1.1.1.1").add("X-Forwarded-For", "2.2.2.2");
    h.add("X-Forwarded-Proto", "https").add("X-Forwarded-Host", "public.test");
    h.add("Forwarded", "for=1.1.1.1;proto=https");
    ForwardedHeaders.apply(h, InetAddress.getByName("10.0.0.5"), true, "http", "inner:8080");
    assertThat(h.get("X-Forwarded-For")).isEqualTo("1.1.1.1, 2.2.2.2, 10.0.0.5");
    assertThat(h.get("X-Forwarded-Proto")).isEqualTo("https");
    assertThat(h.get("X-Forwarded-Host")).isEqualTo("public.test");
    assertThat(h.get("Forwarded"))
        .isEqualTo("for=1.1.1.1;proto=https, for=10.0.0.5;host=\"inner:8080\";proto=http");
  }

  @Test
  void untrustedClientsHeadersAreReplaced() throws Exception {
    HttpHeaders h = new DefaultHttpHeaders();
    h.add("X-Forwarded-For", "6.6.6.6").add("X-Forwarded-Proto", "https");
    h.add("X-Forwarded-Host", "evil.test").add("Forwarded", "for=6.6.6.6");
    ForwardedHeaders.apply(h, InetAddress.getByName("::1"), false, "http", "app.test");
    assertThat(h.get("X-Forwarded-For")).isEqualTo("0:0:0:0:0:0:0:1");
    assertThat(h.get("X-Forwarded-Proto")).isEqualTo("http");
    assertThat(h.get("X-Forwarded-Host")).isEqualTo("app.test");
    assertThat(h.get("Forwarded")).isEqualTo("for=\"[0:0:0:0:0:0:0:1]\";host=app.test;proto=http");
  }

  @Test
  void requestIdsAreKeptOnlyWhenWellFormed() {
    assertThat(RequestIds.isWellFormedRequestId("abc-123_x.y:z")).isTrue();
    assertThat(RequestIds.isWellFormedRequestId("")).isFalse();
    assertThat(RequestIds.isWellFormedRequestId("has space")).isFalse();
    assertThat(RequestIds.isWellFormedRequestId("new\nline")).isFalse();
    assertThat(RequestIds.isWellFormedRequestId("x".repeat(129))).isFalse();
    assertThat(RequestIds.newRequestId()).matches("[0-9a-f]{32}");
    assertThat(RequestIds.newRequestId()).isNotEqualTo(RequestIds.newRequestId());
  }

  @Test
  void traceparentIsValidatedAndGenerated() {
    String made = RequestIds.newTraceparent();
    assertThat(made).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
    assertThat(RequestIds.isValidTraceparent(made)).isTrue();
    assertThat(
            RequestIds.isValidTraceparent(
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
        .isTrue();
    assertThat(
            RequestIds.isValidTraceparent(
                "00-00000000000000000000000000000000-00f067aa0ba902b7-01"))
        .isFalse();
    assertThat(
            RequestIds.isValidTraceparent(
                "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"))
        .isFalse();
    assertThat(RequestIds.isValidTraceparent("garbage")).isFalse();
    assertThat(RequestIds.isValidTraceparent(null)).isFalse();
  }

  @Test
  void trustedProxiesMatchAddressesAndRanges() throws Exception {
    TrustedProxies t = TrustedProxies.parse(List.of("127.0.0.1", "10.0.0.0/8", "fd00::/8"));
    assertThat(t.trusts(InetAddress.getByName("127.0.0.1"))).isTrue();
    assertThat(t.trusts(InetAddress.getByName("127.0.0.2"))).isFalse();
    assertThat(t.trusts(InetAddress.getByName("10.200.3.4"))).isTrue();
    assertThat(t.trusts(InetAddress.getByName("11.0.0.1"))).isFalse();
    assertThat(t.trusts(InetAddress.getByName("fd12::1"))).isTrue();
    assertThat(t.trusts(InetAddress.getByName("fe80::1"))).isFalse();
    assertThat(TrustedProxies.parse(List.of("*")).trusts(InetAddress.getByName("8.8.8.8")))
        .isTrue();
    assertThat(TrustedProxies.parse(List.of()).trusts(InetAddress.getByName("127.0.0.1")))
        .isFalse();
  }

  @Test
  void malformedTrustedProxyIsAClearError() {
    assertThatThrownBy(() -> TrustedProxies.parse(List.of("localhost")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'localhost'")
        .hasMessageContaining("CIDR");
    assertThatThrownBy(() -> TrustedProxies.parse(List.of("10.0.0.0/33")))
        .hasMessageContaining("10.0.0.0/33");
  }
}
