package dev.pylon.router;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;

/**
 * HTTP/1.1 to h2c by {@code Upgrade: h2c} (RFC 7540 3.2) on a plain-text connection: the 101 goes
 * out over HTTP/1.1, the connection continues as HTTP/2, and the upgrading request is answered on
 * stream 1 like any HTTP/2 request.
 *
 * <p>Netty's upgrade handler sits behind our {@link StrictRequestDecoder}, so the request was
 * parsed strictly; it is only taken over when it also passes {@link RequestValidator} -- anything
 * else goes on to {@link ClientConnectionHandler} as HTTP/1.1, which refuses it there. Only the
 * connection's first request may upgrade (the handler leaves after it), so no HTTP/1.1 response can
 * still be owed when the protocol switches, and later requests pay nothing for this.
 *
 * <p>A request with a body is answered over HTTP/1.1 without upgrading, as RFC 7540 allows and
 * Netty does by default: taking it over would mean holding the whole body before the switch. So is
 * one with {@code Expect}, which the aggregation below would answer by itself. Over TLS this
 * handler is never installed: h2 there is chosen by ALPN, and h2c is cleartext only.
 */
final class CleartextUpgradeHandler extends HttpServerUpgradeHandler {
  private static final String H2C = Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME.toString();

  private final RouterContext router;
  private boolean lengthGiven;

  CleartextUpgradeHandler(RouterContext router) {
    super(
        CleartextUpgradeHandler::removeHttp1,
        protocol ->
            H2C.contentEquals(protocol)
                ? new Http2ServerUpgradeCodec(
                    ClientPipelines.http2Codec(router), ClientPipelines.http2Streams(router))
                : null,
        0,
        DefaultHttpHeadersFactory.headersFactory(),
        DefaultHttpHeadersFactory.trailersFactory(),
        true);
    this.router = router;
  }

  @Override
  protected boolean shouldHandleUpgradeRequest(HttpRequest request) {
    if (!request.decoderResult().isSuccess()
        || request.protocolVersion() != HttpVersion.HTTP_1_1
        || router.draining
        || !asksForH2c(request.headers())
        || hasBody(request.headers())
        || request.headers().contains(HttpHeaderNames.EXPECT)) {
      return false;
    }
    lengthGiven = request.headers().contains(HttpHeaderNames.CONTENT_LENGTH);
    return RequestValidator.check(request, router.config) == null;
  }

  /** The aggregation adds {@code Content-Length: 0}; the app should see the request as sent. */
  @Override
  protected void finishAggregation(FullHttpMessage aggregated) throws Exception {
    super.finishAggregation(aggregated);
    if (!lengthGiven) {
      aggregated.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
    }
  }

  private static boolean asksForH2c(HttpHeaders headers) {
    for (String value : headers.getAll(HttpHeaderNames.UPGRADE)) {
      for (String token : value.split(",")) {
        if (token.trim().equals(H2C)) { // a case-sensitive token (RFC 7540 3.2)
          return true;
        }
      }
    }
    return false;
  }

  private static boolean hasBody(HttpHeaders headers) {
    if (headers.contains(HttpHeaderNames.TRANSFER_ENCODING)) {
      return true;
    }
    String length = headers.get(HttpHeaderNames.CONTENT_LENGTH);
    return length != null && !length.equals("0");
  }

  /**
   * Takes the HTTP/1.1 handlers out once the 101 is written; Netty then adds the HTTP/2 ones after
   * this handler. The connection stays counted once (by socket), as one that starts with the HTTP/2
   * preface.
   */
  private static void removeHttp1(ChannelHandlerContext ctx) {
    ChannelPipeline p = ctx.pipeline();
    ClientConnectionHandler http1 = p.get(ClientConnectionHandler.class);
    if (http1 != null) {
      http1.handOverToHttp2();
      p.remove(http1);
    }
    p.remove("encoder");
    p.remove("decoder");
  }
}
