package dev.pylon.router;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.util.List;

/**
 * Decides whether a decoded request head may be forwarded. Anything ambiguous about where the
 * request ends or where it goes is refused: a proxy and an instance that disagree on either is how
 * request smuggling works.
 */
final class RequestValidator {
  private RequestValidator() {}

  /** The reason to refuse {@code request}, or null when it may be forwarded. */
  static Rejection check(HttpRequest request, RouterConfig config) {
    DecoderResult result = request.decoderResult();
    if (result.isFailure()) {
      return decoderFailure(result.cause());
    }
    HttpVersion version = request.protocolVersion();
    if (version != HttpVersion.HTTP_1_1 && version != HttpVersion.HTTP_1_0) {
      return new Rejection(
          HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, "only HTTP/1.0 and HTTP/1.1 are served");
    }
    HttpMethod method = request.method();
    if (method == HttpMethod.CONNECT || method == HttpMethod.TRACE) {
      return new Rejection(HttpResponseStatus.METHOD_NOT_ALLOWED, method + " is not allowed");
    }
    HttpHeaders headers = request.headers();
    if (headers.size() > config.maxHeaderCount()) {
      return new Rejection(
          HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
          "more than " + config.maxHeaderCount() + " header fields");
    }
    Rejection host = checkHost(headers, version);
    if (host != null) {
      return host;
    }
    Rejection framing = checkFraming(headers, config);
    if (framing != null) {
      return framing;
    }
    return checkTarget(request.uri(), method, headers.get(HttpHeaderNames.HOST));
  }

  private static Rejection decoderFailure(Throwable cause) {
    if (cause instanceof TooLongHttpLineException) {
      return new Rejection(HttpResponseStatus.REQUEST_URI_TOO_LONG, "request line too long");
    }
    if (cause instanceof TooLongHttpHeaderException) {
      return new Rejection(
          HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "request headers too large");
    }
    if (cause instanceof TooLongFrameException) {
      return new Rejection(HttpResponseStatus.BAD_REQUEST, "request too large");
    }
    return new Rejection(HttpResponseStatus.BAD_REQUEST, "malformed request");
  }

  private static Rejection checkHost(HttpHeaders headers, HttpVersion version) {
    List<String> hosts = headers.getAll(HttpHeaderNames.HOST);
    if (hosts.size() > 1) {
      return badRequest("more than one Host header");
    }
    if (hosts.isEmpty()) {
      return version == HttpVersion.HTTP_1_1 ? badRequest("HTTP/1.1 request without Host") : null;
    }
    String host = hosts.get(0);
    if (host.isEmpty() && version == HttpVersion.HTTP_1_1) {
      return badRequest("empty Host header");
    }
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || "-._~!$&'()*+,;=:[]%".indexOf(c) >= 0;
      if (!ok) {
        return badRequest("invalid Host header");
      }
    }
    return null;
  }

  private static Rejection checkFraming(HttpHeaders headers, RouterConfig config) {
    List<String> lengths = headers.getAll(HttpHeaderNames.CONTENT_LENGTH);
    List<String> codings = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
    if (!lengths.isEmpty() && !codings.isEmpty()) {
      return badRequest("both Content-Length and Transfer-Encoding");
    }
    if (lengths.size() > 1) {
      return badRequest("more than one Content-Length");
    }
    if (codings.size() > 1
        || (codings.size() == 1 && !"chunked".equalsIgnoreCase(codings.get(0)))) {
      return new Rejection(
          HttpResponseStatus.NOT_IMPLEMENTED, "only Transfer-Encoding: chunked is supported");
    }
    if (lengths.size() == 1) {
      String value = lengths.get(0);
      if (value.isEmpty() || value.length() > 18 || !allDigits(value)) {
        return badRequest("invalid Content-Length");
      }
      if (Long.parseLong(value) > config.maxBodySize()) {
        return new Rejection(
            HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
            "request body larger than " + config.maxBodySize() + " bytes");
      }
    }
    return null;
  }

  private static Rejection checkTarget(String uri, HttpMethod method, String host) {
    if (uri.isEmpty()) {
      return badRequest("empty request target");
    }
    for (int i = 0; i < uri.length(); i++) {
      char c = uri.charAt(i);
      if (c <= 0x20 || c >= 0x7f || c == '#') {
        return badRequest("invalid character in request target");
      }
    }
    if (uri.charAt(0) == '/') {
      return uri.startsWith("//") ? badRequest("request target starts with //") : null;
    }
    if (uri.equals("*")) {
      return method == HttpMethod.OPTIONS ? null : badRequest("* is only valid with OPTIONS");
    }
    String authority = AbsoluteForm.authority(uri);
    if (authority != null) {
      return host == null || host.equalsIgnoreCase(authority)
          ? null
          : badRequest("Host header does not match the absolute request target");
    }
    return badRequest("request target must be a path or an absolute http(s) URL");
  }

  private static boolean allDigits(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  private static Rejection badRequest(String reason) {
    return new Rejection(HttpResponseStatus.BAD_REQUEST, reason);
  }
}
