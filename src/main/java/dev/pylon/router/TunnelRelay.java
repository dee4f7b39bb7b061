package dev.pylon.router;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * After a WebSocket handshake: copies raw bytes from one connection to its peer, with backpressure,
 * and closes the peer when this side closes. Both sides of a tunnel run on one event loop.
 */
final class TunnelRelay extends ChannelInboundHandlerAdapter {
  private final Channel peer;
  private final Runnable onClose;
  private long relayed;

  /**
   * @param peer where the bytes this connection reads go
   * @param onClose run on the event loop when this side closes (the tunnel ends then)
   */
  TunnelRelay(Channel peer, Runnable onClose) {
    this.peer = peer;
    this.onClose = onClose;
  }

  /** Bytes copied to the peer so far. */
  long relayed() {
    return relayed;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    ctx.channel().config().setAutoRead(peer.isWritable());
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf bytes) {
      relayed += bytes.readableBytes();
      peer.write(bytes, peer.voidPromise());
      if (!peer.isWritable()) {
        ctx.channel().config().setAutoRead(false);
      }
    } else {
      ReferenceCountUtil.release(msg); // the end marker of the handshake response
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    peer.flush();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    boolean writable = ctx.channel().isWritable();
    if (peer.config().isAutoRead() != writable) {
      peer.config().setAutoRead(writable);
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    onClose.run();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ChannelInputShutdownEvent) {
      ctx.close(); // no half-closed tunnels: one side's end is the tunnel's
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
