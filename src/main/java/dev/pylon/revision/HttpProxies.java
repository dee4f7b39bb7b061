package dev.pylon.revision;

import java.io.IOException;
import java.net.Authenticator;
import java.net.InetSocketAddress;
import java.net.PasswordAuthentication;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The proxies curl, pip and uv take from the environment ({@code https_proxy}, {@code http_proxy},
 * {@code all_proxy}, {@code no_proxy}, lower case first, then upper case), for Pylon's own
 * downloads; Java's HTTP client reads none of them by itself. pip in a build reads them itself.
 *
 * @param http the proxy for {@code http://} addresses
 * @param https the proxy for {@code https://} addresses
 * @param noProxy hosts (and their subdomains) reached directly; {@code *} means every host
 */
public record HttpProxies(Optional<URI> http, Optional<URI> https, List<String> noProxy) {
  /** No proxy: every address is reached directly. */
  public static final HttpProxies NONE =
      new HttpProxies(Optional.empty(), Optional.empty(), List.of());

  public HttpProxies {
    Objects.requireNonNull(http, "http");
    Objects.requireNonNull(https, "https");
    noProxy = List.copyOf(noProxy);
  }

  /**
   * Reads the variables; a value that is not a proxy address is an error naming the variable.
   *
   * @throws IllegalArgumentException naming the variable and what a value looks like
   */
  public static HttpProxies fromEnvironment(Map<String, String> env) {
    Optional<URI> all = proxy(env, "all_proxy");
    Optional<URI> http = proxy(env, "http_proxy").or(() -> all);
    Optional<URI> https = proxy(env, "https_proxy").or(() -> all);
    List<String> noProxy = new ArrayList<>();
    for (String host : variable(env, "no_proxy").orElse("").split(",")) {
      String h = host.strip().toLowerCase(Locale.ROOT);
      if (h.startsWith("*.")) {
        h = h.substring(1);
      }
      if (!h.isEmpty()) {
        noProxy.add(h);
      }
    }
    return new HttpProxies(http, https, noProxy);
  }

  /** The proxy {@code target} is fetched through; empty: directly. */
  public Optional<URI> proxyFor(URI target) {
    String host = Optional.ofNullable(target.getHost()).orElse("").toLowerCase(Locale.ROOT);
    for (String excluded : noProxy) {
      if (excluded.equals("*")
          || host.equals(excluded.startsWith(".") ? excluded.substring(1) : excluded)
          || host.endsWith(excluded.startsWith(".") ? excluded : "." + excluded)) {
        return Optional.empty();
      }
    }
    return switch (Optional.ofNullable(target.getScheme()).orElse("").toLowerCase(Locale.ROOT)) {
      case "http" -> http;
      case "https" -> https;
      default -> Optional.empty();
    };
  }

  /** For Java's HTTP client. */
  public ProxySelector selector() {
    return new ProxySelector() {
      @Override
      public List<Proxy> select(URI uri) {
        return proxyFor(uri)
            .map(p -> List.of(new Proxy(Proxy.Type.HTTP, address(p))))
            .orElse(List.of(Proxy.NO_PROXY));
      }

      @Override
      public void connectFailed(URI uri, SocketAddress address, IOException e) {
        // The request fails with e, and the error says which proxy it went through.
      }
    };
  }

  /**
   * Answers a proxy's 407 with the user and password of its address ({@code
   * http://user:pass@proxy:3128}), and nothing else: a server's own challenge gets no credentials.
   */
  public Optional<Authenticator> authenticator() {
    if (http.flatMap(HttpProxies::credentials).isEmpty()
        && https.flatMap(HttpProxies::credentials).isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new Authenticator() {
          @Override
          protected PasswordAuthentication getPasswordAuthentication() {
            if (getRequestorType() != RequestorType.PROXY) {
              return null;
            }
            for (Optional<URI> proxy : List.of(https, http)) {
              if (proxy.isPresent()
                  && proxy.get().getHost().equalsIgnoreCase(getRequestingHost())
                  && port(proxy.get()) == getRequestingPort()) {
                return credentials(proxy.get()).orElse(null);
              }
            }
            return null;
          }
        });
  }

  /** For messages: " through the proxy http://proxy:3128" (never its password), or "". */
  public String describeFor(URI target) {
    return proxyFor(target)
        .map(p -> " through the proxy " + p.getScheme() + "://" + p.getHost() + ":" + port(p))
        .orElse("");
  }

  private static Optional<PasswordAuthentication> credentials(URI proxy) {
    String info = proxy.getRawUserInfo();
    if (info == null || info.isEmpty()) {
      return Optional.empty();
    }
    int colon = info.indexOf(':');
    String user = colon < 0 ? info : info.substring(0, colon);
    String password = colon < 0 ? "" : info.substring(colon + 1);
    return Optional.of(
        new PasswordAuthentication(
            URLDecoder.decode(user, StandardCharsets.UTF_8),
            URLDecoder.decode(password, StandardCharsets.UTF_8).toCharArray()));
  }

  private static InetSocketAddress address(URI proxy) {
    return InetSocketAddress.createUnresolved(proxy.getHost(), port(proxy));
  }

  private static int port(URI proxy) {
    if (proxy.getPort() > 0) {
      return proxy.getPort();
    }
    return "https".equalsIgnoreCase(proxy.getScheme()) ? 443 : 1080;
  }

  private static Optional<String> variable(Map<String, String> env, String lowerCase) {
    return Optional.ofNullable(env.get(lowerCase))
        .or(() -> Optional.ofNullable(env.get(lowerCase.toUpperCase(Locale.ROOT))))
        .map(String::strip)
        .filter(v -> !v.isEmpty());
  }

  private static Optional<URI> proxy(Map<String, String> env, String lowerCase) {
    Optional<String> value = variable(env, lowerCase);
    if (value.isEmpty()) {
      return Optional.empty();
    }
    String v = value.get().contains("://") ? value.get() : "http://" + value.get();
    URI uri;
    try {
      uri = URI.create(v);
    } catch (IllegalArgumentException e) {
      uri = null;
    }
    if (uri == null || uri.getHost() == null) {
      throw new IllegalArgumentException(
          lowerCase
              + " is not a proxy address: "
              + value.get()
              + "; set it as http://HOST:PORT (http://USER:PASSWORD@HOST:PORT with credentials)");
    }
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http")) {
      throw new IllegalArgumentException(
          lowerCase
              + " names a "
              + scheme
              + " proxy ("
              + value.get()
              + "); Pylon's downloads go through HTTP proxies only: set it as http://HOST:PORT");
    }
    return Optional.of(uri);
  }
}
