package dev.pylon.router;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import java.util.List;

/**
 * On a plain-text connection: HTTP/2 with prior knowledge (h2c) if the client opens with the HTTP/2
 * preface, HTTP/1.1 otherwise. Decides on the first bytes, then steps aside.
 */
final class CleartextProtocolDetector extends ByteToMessageDecoder {
  private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();
  private final RouterContext router;

  private TimeoutList.Entry deadline;

  CleartextProtocolDetector(RouterContext router) {
    this.router = router;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    // a connection that never says a word is closed like one that never finishes its headers
    deadline = new TimeoutList.Entry(ctx::close);
    router.timeouts(ctx.executor()).headerRead().arm(deadline);
  }

  @Override
  protected void handlerRemoved0(ChannelHandlerContext ctx) {
    deadline.clear();
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    int prefaceLength = PREFACE.readableBytes();
    int compared = Math.min(in.readableBytes(), prefaceLength);
    boolean prefix =
        ByteBufUtil.equals(in, in.readerIndex(), PREFACE, PREFACE.readerIndex(), compared);
    if (prefix && compared < prefaceLength) {
      return; // could still be HTTP/2: wait for more bytes
    }
    if (prefix) {
      ClientPipelines.http2(ctx.pipeline(), router);
    } else {
      ClientPipelines.http1(ctx.pipeline(), router);
    }
    ctx.pipeline().remove(this); // hands the bytes read so far to the protocol's decoder
  }
}
