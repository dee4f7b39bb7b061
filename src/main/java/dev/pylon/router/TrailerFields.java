package dev.pylon.router;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Drops the fields a request's trailer section may not carry (RFC 9110 6.5.1): those that frame or
 * route the message, authenticate it, modify or condition the request, control the response, or say
 * how to process the content; and the router's own forwarding fields. An app or a later hop that
 * merged them into the header section would see a different request than the router routed (a Host
 * or Content-Length smuggled past it). Netty's decoder already drops Content-Length,
 * Transfer-Encoding and Trailer; this is the rest, and holds for HTTP/2 clients too.
 */
final class TrailerFields {
  static final Set<String> FORBIDDEN =
      Set.of(
          // framing and connection
          "content-length",
          "transfer-encoding",
          "trailer",
          "connection",
          "keep-alive",
          "proxy-connection",
          "te",
          "upgrade",
          // routing, and what the router vouches for
          "host",
          "forwarded",
          "x-forwarded-for",
          "x-forwarded-host",
          "x-forwarded-proto",
          "x-forwarded-port",
          "x-request-id",
          "traceparent",
          // authentication
          "authorization",
          "proxy-authorization",
          "cookie",
          // request controls and conditionals
          "cache-control",
          "expect",
          "max-forwards",
          "pragma",
          "range",
          "if-match",
          "if-none-match",
          "if-modified-since",
          "if-unmodified-since",
          "if-range",
          // content processing
          "content-encoding",
          "content-type",
          "content-range");

  private TrailerFields() {}

  /** Removes the forbidden fields in place; returns how many were dropped. */
  static int strip(HttpHeaders trailers) {
    List<String> drop = null;
    for (Map.Entry<String, String> field : trailers) {
      String name = field.getKey();
      if (name.startsWith(":") || FORBIDDEN.contains(name.toLowerCase(Locale.ROOT))) {
        if (drop == null) {
          drop = new ArrayList<>(2);
        }
        drop.add(name);
      }
    }
    if (drop == null) {
      return 0;
    }
    for (String name : drop) {
      trailers.remove(name);
    }
    return drop.size();
  }
}
