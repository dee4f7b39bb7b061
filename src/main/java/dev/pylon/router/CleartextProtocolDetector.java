package dev.pylon.router;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import java.util.List;

/**
 * On a plain-text connection: HTTP/2 with prior knowledge (h2c) if the client opens with the HTTP/2
 * preface, HTTP/1.1 otherwise (which may still upgrade to h2c). Decides on the first bytes, then
 * steps aside.
 */
final class CleartextProtocolDetector extends ByteToMessageDecoder {
  private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();
  private static final byte[] H2C = {'h', '2', 'c'};
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
    } else if (mayAskForH2c(in)) {
      ClientPipelines.cleartextHttp1(ctx.pipeline(), router);
    } else {
      ClientPipelines.http1(ctx.pipeline(), router);
    }
    ctx.pipeline().remove(this); // hands the bytes read so far to the protocol's decoder
  }

  /**
   * Whether the first request could be an {@code Upgrade: h2c}: its bytes so far mention "h2c", or
   * its header block has not fully arrived. Most connections never ask, and only those that might
   * get the upgrade handler (so the rest pay nothing for it); a false yes only costs that.
   */
  static boolean mayAskForH2c(ByteBuf in) {
    int matchedH2c = 0;
    int lineEnds = 0;
    for (int i = in.readerIndex(), end = in.writerIndex(); i < end; i++) {
      byte b = in.getByte(i);
      matchedH2c = b == H2C[matchedH2c] ? matchedH2c + 1 : (b == 'h' ? 1 : 0);
      if (matchedH2c == H2C.length) {
        return true;
      }
      if (b == '\n') {
        if (++lineEnds == 2) {
          return false; // the empty line that ends the header block
        }
      } else if (b != '\r') {
        lineEnds = 0;
      }
    }
    return true;
  }
}
