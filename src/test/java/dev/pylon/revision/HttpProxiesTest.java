package dev.pylon.revision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The proxy variables as curl and pip read them. */
class HttpProxiesTest {
  private static final URI GITHUB = URI.create("https://github.com/astral-sh/x");

  @Test
  void lowerCaseWinsAndAllProxyFillsIn() {
    HttpProxies p =
        HttpProxies.fromEnvironment(
            Map.of(
                "https_proxy", "http://lower:3128",
                "HTTPS_PROXY", "http://upper:3128",
                "ALL_PROXY", "proxy.corp:8080"));
    assertThat(p.proxyFor(GITHUB)).contains(URI.create("http://lower:3128"));
    assertThat(p.proxyFor(URI.create("http://mirror.corp/x")))
        .contains(URI.create("http://proxy.corp:8080"));
    assertThat(p.proxyFor(URI.create("file:///srv/pythons"))).isEmpty();
  }

  @Test
  void noProxyMatchesHostsAndTheirSubdomainsLikeCurl() {
    HttpProxies p =
        HttpProxies.fromEnvironment(
            Map.of("https_proxy", "http://p:1", "no_proxy", " .corp.example, github.com,*.local"));
    assertThat(p.proxyFor(GITHUB)).isEmpty();
    assertThat(p.proxyFor(URI.create("https://objects.github.com/x"))).isEmpty();
    assertThat(p.proxyFor(URI.create("https://a.corp.example/x"))).isEmpty();
    assertThat(p.proxyFor(URI.create("https://corp.example/x"))).isEmpty();
    assertThat(p.proxyFor(URI.create("https://box.local/x"))).isEmpty();
    assertThat(p.proxyFor(URI.create("https://notgithub.com/x"))).isPresent();
    assertThat(
            HttpProxies.fromEnvironment(Map.of("https_proxy", "http://p:1", "NO_PROXY", "*"))
                .proxyFor(GITHUB))
        .isEmpty();
  }

  @Test
  void messagesNameTheProxyButNeverItsPassword() {
    HttpProxies p = HttpProxies.fromEnvironment(Map.of("https_proxy", "http://me:pw@p.corp:3128"));
    assertThat(p.describeFor(GITHUB)).isEqualTo(" through the proxy http://p.corp:3128");
    assertThat(p.authenticator()).isPresent();
    assertThat(HttpProxies.NONE.describeFor(GITHUB)).isEmpty();
    assertThat(HttpProxies.NONE.authenticator()).isEmpty();
  }

  @Test
  void aValueThatIsNoHttpProxyNamesTheVariable() {
    assertThatThrownBy(() -> HttpProxies.fromEnvironment(Map.of("HTTPS_PROXY", "socks5h://p:1")))
        .hasMessageContaining("https_proxy names a socks5h proxy")
        .hasMessageContaining("http://HOST:PORT");
    assertThatThrownBy(() -> HttpProxies.fromEnvironment(Map.of("http_proxy", "http://")))
        .hasMessageContaining("http_proxy is not a proxy address");
  }
}
