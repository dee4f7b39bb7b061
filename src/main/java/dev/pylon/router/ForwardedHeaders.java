package dev.pylon.router;

import io.netty.handler.codec.http.HttpHeaders;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * Tells the instance who the client was: X-Forwarded-For/-Proto/-Host and RFC 7239 Forwarded.
 *
 * <p>From a trusted proxy the existing values are kept and this hop appended; from anyone else they
 * are lies waiting to happen, so they are replaced.
 */
final class ForwardedHeaders {
  static final String X_FORWARDED_FOR = "x-forwarded-for";
  static final String X_FORWARDED_PROTO = "x-forwarded-proto";
  static final String X_FORWARDED_HOST = "x-forwarded-host";
  static final String FORWARDED = "forwarded";

  private ForwardedHeaders() {}

  /**
   * @param headers request headers to rewrite in place
   * @param client the client's address
   * @param trustedClient whether the client is a configured proxy
   * @param scheme {@code http} or {@code https}, how the client reached the router
   * @param host the request's Host header, may be null
   */
  static void apply(
      HttpHeaders headers, InetAddress client, boolean trustedClient, String scheme, String host) {
    String clientIp = client == null ? "unknown" : client.getHostAddress();
    if (!trustedClient) {
      headers.remove(X_FORWARDED_FOR);
      headers.remove(X_FORWARDED_PROTO);
      headers.remove(X_FORWARDED_HOST);
      headers.remove(FORWARDED);
    }
    String priorFor = joined(headers, X_FORWARDED_FOR);
    headers.set(X_FORWARDED_FOR, priorFor == null ? clientIp : priorFor + ", " + clientIp);
    if (!headers.contains(X_FORWARDED_PROTO)) {
      headers.set(X_FORWARDED_PROTO, scheme);
    }
    if (host != null && !headers.contains(X_FORWARDED_HOST)) {
      headers.set(X_FORWARDED_HOST, host);
    }
    String element = forwardedElement(client, scheme, host);
    String priorForwarded = joined(headers, FORWARDED);
    headers.set(FORWARDED, priorForwarded == null ? element : priorForwarded + ", " + element);
  }

  private static String joined(HttpHeaders headers, String name) {
    var values = headers.getAll(name);
    if (values.isEmpty()) {
      return null;
    }
    return values.size() == 1 ? values.get(0) : String.join(", ", values);
  }

  private static String forwardedElement(InetAddress client, String scheme, String host) {
    StringBuilder sb = new StringBuilder(64).append("for=");
    if (client == null) {
      sb.append("unknown");
    } else if (client instanceof Inet6Address) {
      sb.append("\"[").append(client.getHostAddress()).append("]\"");
    } else {
      sb.append(client.getHostAddress());
    }
    if (host != null && !host.isEmpty()) {
      sb.append(";host=");
      if (isToken(host)) {
        sb.append(host);
      } else {
        sb.append('"').append(host.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
      }
    }
    return sb.append(";proto=").append(scheme).toString();
  }

  private static boolean isToken(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return !s.isEmpty();
  }
}
