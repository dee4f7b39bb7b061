package dev.pylon.router;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.HttpConversionUtil;

/**
 * On a stream to an h2c instance, makes the converted response look like what HTTP/1.1 from an
 * instance looks like to {@link ProxyExchange}: a head, then contents, then a last content. Netty's
 * conversion hands over a head-only stream (204, HEAD, an empty body) and 100 Continue as one full
 * message, leaves other 1xx heads open, and adds its own {@code x-http2-*} headers.
 */
@Sharable
final class Http2UpstreamResponses extends ChannelInboundHandlerAdapter {
  static final Http2UpstreamResponses INSTANCE = new Http2UpstreamResponses();

  private Http2UpstreamResponses() {}

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof HttpResponse response)) {
      ctx.fireChannelRead(msg);
      return;
    }
    HttpHeaders headers = response.headers();
    for (HttpConversionUtil.ExtensionHeaderNames name :
        HttpConversionUtil.ExtensionHeaderNames.values()) {
      headers.remove(name.text());
    }
    boolean interim = response.status().code() < 200;
    if (interim) {
      headers.remove(HttpHeaderNames.TRANSFER_ENCODING); // added by the conversion; 1xx has no body
    }
    if (msg instanceof FullHttpResponse full) {
      ctx.fireChannelRead(
          new DefaultHttpResponse(full.protocolVersion(), full.status(), full.headers()));
      ctx.fireChannelRead(new DefaultLastHttpContent(full.content(), full.trailingHeaders()));
    } else {
      ctx.fireChannelRead(response);
      if (interim) {
        ctx.fireChannelRead(LastHttpContent.EMPTY_LAST_CONTENT);
      }
    }
  }
}
