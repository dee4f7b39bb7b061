package dev.pylon.router;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: validates each request head, runs one {@link ProxyExchange} at a time, and
 * holds pipelined requests until the one before them is answered (responses must go back in order).
 * Closes connections that sit idle or never finish their headers.
 */
final class ClientConnectionHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(ClientConnectionHandler.class);

  private final RouterContext router;
  private ChannelHandlerContext ctx;
  private ProxyExchange exchange;
  private long exchangesSeen; // the event loop's: tells a drain's linger whether a request came
  private final ArrayDeque<Object> held = new ArrayDeque<>(2);
  private LoopTimeouts timeouts;
  private final TimeoutList.Entry idleDeadline = new TimeoutList.Entry(this::onIdleTimeout);
  private final TimeoutList.Entry bodyDeadline = new TimeoutList.Entry(this::onBodyStalled);
  private boolean closing;
  private boolean active;

  ClientConnectionHandler(RouterContext router) {
    this.router = router;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.timeouts = router.timeouts(ctx.executor());
    if (ctx.channel().isActive()) {
      activate(); // added after protocol detection: the connection is already open
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    activate();
    ctx.fireChannelActive();
  }

  private void activate() {
    if (active) {
      return;
    }
    active = true;
    timeouts.headerRead().arm(idleDeadline);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (closing) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (!held.isEmpty() || (exchange != null && exchange.requestComplete())) {
      held.add(msg);
      setReading(false);
      return;
    }
    dispatch(msg);
  }

  private void dispatch(Object msg) {
    if (msg instanceof HttpRequest request) {
      cancelIdleTimer();
      Rejection rejection = RequestValidator.check(request, router.config);
      if (rejection != null) {
        ReferenceCountUtil.release(msg);
        router.metrics.malformed();
        log.debug("rejected request from {}: {}", ctx.channel().remoteAddress(), rejection);
        boolean head = HttpMethod.HEAD.equals(request.method());
        respondAndClose(
            ErrorResponses.of(
                ctx.alloc(), rejection.status(), rejection.reason(), false, !head, 0, null));
        return;
      }
      if (msg instanceof FullHttpRequest full) {
        // HTTP/2 streams without a body arrive whole; the exchange wants head and end apart
        request =
            new DefaultHttpRequest(
                full.protocolVersion(), full.method(), full.uri(), full.headers());
        msg = new DefaultLastHttpContent(full.content(), full.trailingHeaders());
      }
      ProxyExchange started = new ProxyExchange(router, this, ctx, request);
      exchange = started;
      exchangesSeen++;
      started.start();
      if (msg instanceof HttpContent content) {
        if (exchange == started && !started.requestComplete()) {
          started.onRequestContent(content);
        } else {
          content.release();
        }
      }
    } else if (msg instanceof HttpContent content) {
      if (exchange != null && !exchange.requestComplete()) {
        exchange.onRequestContent(content);
      } else {
        content.release();
      }
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (exchange != null) {
      exchange.flushUpstream();
      if (!exchange.requestComplete()) {
        timeouts.bodyRead().arm(bodyDeadline); // reading a body: it may not stall
        return;
      }
    }
    bodyDeadline.clear();
  }

  /** No byte of the request body arrived for the body read timeout. */
  private void onBodyStalled() {
    if (exchange == null || exchange.requestComplete()) {
      return;
    }
    if (!ctx.channel().config().isAutoRead()) {
      // the router stopped reading (the instance is slow to take the body): not the client's fault
      timeouts.bodyRead().arm(bodyDeadline);
      return;
    }
    exchange.onClientBodyStalled();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (exchange != null) {
      exchange.onClientWritabilityChanged();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    ReferenceCountUtil.release(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closing = true;
    cancelIdleTimer();
    releaseHeld();
    if (exchange != null) {
      ProxyExchange e = exchange;
      exchange = null;
      e.onClientClosed();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("client connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }

  /** Called by the exchange once its response is written, or it ended without one. */
  void exchangeDone(ProxyExchange done, boolean keepConnection) {
    if (exchange != done) {
      return;
    }
    exchange = null;
    if (!keepConnection) {
      closing = true;
      releaseHeld();
      return;
    }
    timeouts.keepAlive().arm(idleDeadline);
    while (!held.isEmpty() && !closing && (exchange == null || !exchange.requestComplete())) {
      dispatch(held.poll());
    }
    if (exchange != null) {
      exchange.flushUpstream();
    }
    if (!closing && held.isEmpty()) {
      setReading(exchange == null || exchange.wantsClientData());
      if (exchange == null && router.draining) {
        // told keep-alive before the drain began: its next request is answered with
        // Connection: close, or it closes once it has been idle for the drain's linger
        closeIfIdle(router.drainLinger);
      }
    }
  }

  /**
   * The instance accepted a WebSocket upgrade: from now on this connection and {@code upstream}
   * only relay bytes, through {@code fromClient} and {@code fromUpstream}. Call after the 101
   * response was written.
   */
  void becomeTunnel(
      ProxyExchange done, Channel upstream, TunnelRelay fromClient, TunnelRelay fromUpstream) {
    if (exchange == done) {
      exchange = null;
    }
    closing = true;
    releaseHeld();
    cancelIdleTimer();
    ChannelPipeline p = ctx.pipeline();
    p.replace(this, "relay", fromClient);
    p.remove("encoder");
    p.remove("decoder"); // hands bytes it already read past the handshake to the relay
    upstream.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, false);
    upstream.pipeline().replace("proxy", "relay", fromUpstream);
    upstream.pipeline().remove("http");
  }

  /**
   * The connection switched to HTTP/2 by an h2c upgrade before this handler saw a request: stop its
   * timer; the HTTP/2 codec owns the connection from now on (it is still counted once, by socket).
   */
  void handOverToHttp2() {
    closing = true;
    cancelIdleTimer();
  }

  /** Whether the client connection is being read; used for backpressure. */
  void setReading(boolean reading) {
    AutoRead.set(ctx.channel(), reading);
  }

  /** Closes an idle connection now; used by drain. Busy connections close after their response. */
  void closeIfIdle() {
    closeIfIdle(Duration.ZERO);
  }

  /**
   * Closes the connection if it is idle now and still idle {@code linger} later (the same
   * exchange-free spell); a request in between closes it after its response, as draining does.
   */
  void closeIfIdle(Duration linger) {
    ctx.executor()
        .execute(
            () -> {
              if (exchange == null && held.isEmpty() && !closing) {
                if (linger.isZero()) {
                  ctx.close();
                } else {
                  long exchanges = exchangesSeen;
                  ctx.executor()
                      .schedule(
                          () -> {
                            if (exchange == null
                                && held.isEmpty()
                                && !closing
                                && exchangesSeen == exchanges) {
                              ctx.close();
                            }
                          },
                          linger.toNanos(),
                          TimeUnit.NANOSECONDS);
                }
              }
            });
  }

  void respondAndClose(FullHttpResponse response) {
    closing = true;
    releaseHeld();
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }

  /** The connection sat idle, or never finished its headers, for too long. */
  private void onIdleTimeout() {
    if (exchange == null) {
      closing = true; // whatever the decoder makes of a half-read head is moot
      releaseHeld();
      ctx.close();
    }
  }

  private void cancelIdleTimer() {
    idleDeadline.clear();
    bodyDeadline.clear();
  }

  /** This loop's timeout lists, for the exchanges of this connection. */
  LoopTimeouts timeouts() {
    return timeouts;
  }

  private void releaseHeld() {
    Object m;
    while ((m = held.poll()) != null) {
      ReferenceCountUtil.release(m);
    }
  }
}
