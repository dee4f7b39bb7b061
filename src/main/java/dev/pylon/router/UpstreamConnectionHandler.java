package dev.pylon.router;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollSocketChannelConfig;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.unix.Errors;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.net.SocketException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last handler of an upstream connection: hands what the instance sends to the exchange that
 * currently owns the connection; while the connection sits idle in the pool, anything it sends is
 * unexpected and the connection is closed.
 */
final class UpstreamConnectionHandler extends ChannelInboundHandlerAdapter {
  static final AttributeKey<String> POOL_KEY = AttributeKey.valueOf("pylon.upstream");
  private static final Logger log = LoggerFactory.getLogger(UpstreamConnectionHandler.class);

  private final UpstreamPool pool;
  private ProxyExchange owner;
  private boolean resetByPeer;

  UpstreamConnectionHandler(UpstreamPool pool) {
    this.pool = pool;
  }

  void owner(ProxyExchange exchange) {
    this.owner = exchange;
  }

  /**
   * Half-closure lets the handler look at the connection when the instance's FIN arrives, before it
   * is closed (see {@link #userEventTriggered}); the handler then closes it itself.
   */
  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    ctx.channel().config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ChannelInputShutdownEvent) {
      // the decoder before this handler already ended a response delimited by the close
      resetByPeer |= TcpPeer.resetAfterClose(ctx.channel());
      ctx.close();
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (owner != null) {
      owner.onUpstreamRead(msg);
    } else {
      ReferenceCountUtil.release(msg);
      ctx.close();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (owner != null) {
      owner.flushClient();
      acknowledgeNow(ctx);
    }
  }

  /**
   * The response is not complete yet: acknowledge what arrived at once instead of after Linux's
   * delayed-ACK timer (40 ms). An instance that writes the response head and body in two small
   * sends with Nagle on (uvicorn with --workers > 1 does) holds the body back until that ACK, so
   * every response would wait 40 ms. Linux clears TCP_QUICKACK by itself, so it is re-armed after
   * each read that leaves the response unfinished; setting it also sends the pending ACK.
   */
  private static void acknowledgeNow(ChannelHandlerContext ctx) {
    if (ctx.channel().config() instanceof EpollSocketChannelConfig epoll) {
      epoll.setTcpQuickAck(true);
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (owner != null) {
      owner.onUpstreamWritabilityChanged();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    ProxyExchange exchange = owner;
    owner = null;
    if (exchange != null) {
      exchange.onUpstreamClosed(resetByPeer);
    } else {
      pool.forget(ctx.channel());
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    resetByPeer |= isConnectionReset(cause);
    log.debug("upstream connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }

  /**
   * Whether the instance's kernel answered with a TCP reset: its socket was closed while bytes we
   * sent were still unread in it (or arrived after it closed), so the app never got them whole.
   */
  private static boolean isConnectionReset(Throwable cause) {
    if (cause instanceof Errors.NativeIoException io) {
      return io.expectedErr() == Errors.ERRNO_ECONNRESET_NEGATIVE;
    }
    return cause instanceof SocketException && "Connection reset".equals(cause.getMessage());
  }
}
