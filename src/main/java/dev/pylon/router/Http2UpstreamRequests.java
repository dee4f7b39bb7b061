package dev.pylon.router;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * On a stream to an h2c instance: a request head followed at once by an empty end (a GET, say) goes
 * out as one HEADERS frame that ends the stream, instead of HEADERS and then an empty DATA frame --
 * one frame less for the instance to parse, and what HTTP/2 clients send for a bodyless request.
 * The head waits at most until the next write or flush. One per stream.
 */
final class Http2UpstreamRequests extends ChannelOutboundHandlerAdapter {
  private HttpRequest head;
  private ChannelPromise headPromise;

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (head != null) {
      HttpRequest held = head;
      head = null;
      if (msg instanceof LastHttpContent end
          && !end.content().isReadable()
          && end.trailingHeaders().isEmpty()
          && promise.isVoid()
          && headPromise.isVoid()) {
        end.release();
        ctx.write(
            new DefaultFullHttpRequest(
                held.protocolVersion(),
                held.method(),
                held.uri(),
                Unpooled.EMPTY_BUFFER,
                held.headers(),
                EmptyHttpHeaders.INSTANCE),
            promise);
        return;
      }
      ctx.write(held, headPromise);
    }
    if (msg instanceof HttpRequest request && !(msg instanceof FullHttpRequest)) {
      head = request;
      headPromise = promise;
      return;
    }
    ctx.write(msg, promise);
  }

  @Override
  public void flush(ChannelHandlerContext ctx) {
    if (head != null) {
      HttpRequest held = head;
      head = null;
      ctx.write(held, headPromise);
    }
    ctx.flush();
  }
}
