package dev.pylon.router;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;

/**
 * Removes the headers that describe one connection and must not cross a proxy (RFC 9110 7.6.1): the
 * fixed list, and every header the Connection header names.
 */
final class HopByHopHeaders {
  private static final List<CharSequence> FIXED =
      List.of(
          HttpHeaderNames.CONNECTION,
          "keep-alive",
          "proxy-connection",
          HttpHeaderNames.TE,
          HttpHeaderNames.TRAILER,
          HttpHeaderNames.TRANSFER_ENCODING,
          HttpHeaderNames.UPGRADE);

  private HopByHopHeaders() {}

  /** Strips hop-by-hop headers in place. The caller re-adds its own framing headers. */
  static void strip(HttpHeaders headers) {
    List<String> named = null;
    for (String value : headers.getAll(HttpHeaderNames.CONNECTION)) {
      for (String token : value.split(",")) {
        String name = token.trim();
        if (!name.isEmpty() && !protectedHeader(name)) {
          if (named == null) {
            named = new ArrayList<>(2);
          }
          named.add(name);
        }
      }
    }
    if (named != null) {
      for (String name : named) {
        headers.remove(name);
      }
    }
    for (CharSequence name : FIXED) {
      headers.remove(name);
    }
  }

  /** A client must not be able to make the proxy drop the headers framing or routing a request. */
  private static boolean protectedHeader(String name) {
    return HttpHeaderNames.HOST.contentEqualsIgnoreCase(name)
        || HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name);
  }
}
