package dev.pylon.router;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.HttpConversionUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * A request's head rewritten for the instance (hop-by-hop fields out, Host, X-Forwarded-*,
 * X-Request-Id and traceparent in, HTTP/1.1), and what the rest of the exchange needs to know of
 * it. Made once per request, on its event loop; immutable afterwards.
 */
final class RequestHead {
  final HttpRequest request;
  final HttpMethod method;

  /** The request target as the client sent it, for the access log. */
  final String target;

  final boolean clientHttp11;
  final boolean clientKeepAlive;
  final boolean chunked;
  final boolean hasBody;
  final boolean idempotentMethod;
  final boolean webSocket;
  final String host;
  final String path;
  final String requestId;
  final InetAddress clientAddress;

  private RequestHead(
      HttpRequest request,
      InetSocketAddress local,
      InetSocketAddress remote,
      RouterContext router) {
    this.request = request;
    this.method = request.method();
    this.target = request.uri();
    this.clientHttp11 = request.protocolVersion() == HttpVersion.HTTP_1_1;
    this.clientKeepAlive = HttpUtil.isKeepAlive(request);
    this.chunked = HttpUtil.isTransferEncodingChunked(request);
    this.hasBody = chunked || HttpUtil.getContentLength(request, 0L) > 0;
    this.idempotentMethod =
        method == HttpMethod.GET
            || method == HttpMethod.HEAD
            || method == HttpMethod.OPTIONS
            || method == HttpMethod.PUT
            || method == HttpMethod.DELETE;
    this.webSocket = isWebSocketUpgrade(request);

    HttpHeaders headers = request.headers();
    String hostHeader = headers.get(HttpHeaderNames.HOST);
    String uri = request.uri();
    if (AbsoluteForm.isAbsolute(uri)) {
      hostHeader = AbsoluteForm.authority(uri);
      uri = AbsoluteForm.path(uri);
      request.setUri(uri);
    }
    int query = uri.indexOf('?');
    String p = query >= 0 ? uri.substring(0, query) : uri;
    this.path = p.equals("*") ? "/" : p; // OPTIONS * concerns the whole server: route it like /
    HopByHopHeaders.strip(headers);
    for (HttpConversionUtil.ExtensionHeaderNames h2Only :
        HttpConversionUtil.ExtensionHeaderNames.values()) {
      headers.remove(h2Only.text()); // what the HTTP/2 conversion adds is not for the app
    }
    if (webSocket) {
      // the one upgrade that passes through: the instance speaks WebSocket itself
      headers.set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
      headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
    }
    if (chunked) {
      headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    }
    if (hostHeader == null || hostHeader.isEmpty()) {
      hostHeader = local.getHostString() + ":" + local.getPort();
    }
    this.host = hostHeader;
    headers.set(HttpHeaderNames.HOST, host);
    request.setProtocolVersion(HttpVersion.HTTP_1_1);
    this.clientAddress = remote.getAddress();
    ForwardedHeaders.apply(
        headers, clientAddress, router.trustedProxies.trusts(clientAddress), router.scheme, host);
    String id = headers.get(RequestIds.X_REQUEST_ID);
    if (!RequestIds.isWellFormedRequestId(id)) {
      id = RequestIds.newRequestId();
      headers.set(RequestIds.X_REQUEST_ID, id);
    }
    this.requestId = id;
    if (!RequestIds.isValidTraceparent(headers.get(RequestIds.TRACEPARENT))) {
      headers.set(RequestIds.TRACEPARENT, RequestIds.newTraceparent());
    }
  }

  /** Rewrites {@code request} in place for the instance. */
  static RequestHead rewrite(
      HttpRequest request,
      InetSocketAddress local,
      InetSocketAddress remote,
      RouterContext router) {
    return new RequestHead(request, local, remote, router);
  }

  private static boolean isWebSocketUpgrade(HttpRequest request) {
    HttpHeaders h = request.headers();
    return request.method() == HttpMethod.GET
        && request.protocolVersion() == HttpVersion.HTTP_1_1
        && h.containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)
        && h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true);
  }

  /** The client marked the request safe to repeat, as Go's Transport and Stripe's API accept. */
  boolean idempotencyKey() {
    HttpHeaders h = request.headers();
    return h.contains("Idempotency-Key") || h.contains("X-Idempotency-Key");
  }

  /**
   * Whether to read the body before choosing an instance. Not when the client waits for 100
   * Continue (only the instance sends that), nor when the body is known to exceed the buffer.
   */
  boolean bufferBodyFirst(long limit) {
    if (limit <= 0 || !hasBody || HttpUtil.is100ContinueExpected(request)) {
      return false;
    }
    return chunked || HttpUtil.getContentLength(request, 0L) <= limit;
  }
}
