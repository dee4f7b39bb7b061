package dev.pylon.router;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP/2 connections with prior knowledge (h2c) to the instances that speak it, kept per event loop
 * as {@link UpstreamPool} keeps HTTP/1.1 ones, so a request's stream runs on its client's thread.
 * Each request opens a stream; a stream's pipeline turns frames into the HTTP/1 message objects and
 * ends in the same {@link UpstreamConnectionHandler}, so {@link ProxyExchange} reads and writes a
 * stream as it does an HTTP/1.1 connection, with backpressure from the stream's flow control.
 *
 * <p>A connection takes streams while it is open, has not seen or sent GOAWAY, and is below the
 * instance's SETTINGS_MAX_CONCURRENT_STREAMS; a request goes to the least busy such connection, and
 * opens another (up to {@link #MAX_CONNECTIONS_PER_UPSTREAM} per loop) when each has {@link
 * #STREAMS_BEFORE_ANOTHER_CONNECTION} streams or more. A connection left without streams longer
 * than the upstream idle timeout is closed rather than reused, so the instance's own idle timeout
 * (hypercorn: 5 s) rarely races a new stream. A dead or departing connection never wedges a
 * request: its streams end (the exchange answers, or retries what is safe to retry) and the next
 * request opens a new connection. Each loop's map is touched only by that loop's thread.
 */
final class Http2UpstreamConnections {
  /** A stream opened for one request; {@code newConnection} when it waited for a new connection. */
  record OpenedStream(Http2StreamChannel channel, boolean newConnection) {}

  private static final Logger log = LoggerFactory.getLogger(Http2UpstreamConnections.class);
  static final int MAX_CONNECTIONS_PER_UPSTREAM = 16;

  /**
   * Busy connections are not filled up to the instance's stream limit: past this many streams each,
   * the next request opens another connection. A server with several worker processes (hypercorn
   * --workers N) hands each connection to one worker, so one connection would keep the others idle.
   */
  static final int STREAMS_BEFORE_ANOTHER_CONNECTION = 16;

  /**
   * Per-stream receive window. Above the 64 KiB default so a typical response arrives without
   * waiting for a WINDOW_UPDATE; small enough that a stream whose client reads slowly holds little.
   */
  private static final int STREAM_WINDOW = 256 * 1024;

  private final Bootstrap template;
  private final long maxIdleNanos;
  private final RouterMetrics metrics;
  private final ChannelHandler streamInitializer;
  private final ConcurrentHashMap<EventLoop, Map<String, List<Connection>>> byLoop =
      new ConcurrentHashMap<>();

  /**
   * @param template a bootstrap with the channel type and options of upstream connections
   */
  Http2UpstreamConnections(
      Bootstrap template, RouterConfig config, RouterMetrics metrics, UpstreamPool pool) {
    this.template = template;
    this.maxIdleNanos = config.upstreamIdleTimeout().toNanos();
    this.metrics = metrics;
    Http2StreamFrameToHttpObjectCodec toHttp = new Http2StreamFrameToHttpObjectCodec(false);
    this.streamInitializer =
        new ChannelInitializer<Http2StreamChannel>() {
          @Override
          protected void initChannel(Http2StreamChannel stream) {
            stream
                .pipeline()
                .addLast("h2-to-http", toHttp)
                .addLast("h2-request", new Http2UpstreamRequests())
                .addLast("h2-response", Http2UpstreamResponses.INSTANCE)
                .addLast("proxy", new UpstreamConnectionHandler(pool));
          }
        };
  }

  /** Opens a stream to {@code upstream} on {@code loop}. Call on {@code loop}. */
  Future<OpenedStream> open(EventLoop loop, Upstream upstream, InetSocketAddress address) {
    Promise<OpenedStream> promise = loop.newPromise();
    List<Connection> connections =
        byLoop
            .computeIfAbsent(loop, l -> new HashMap<>())
            .computeIfAbsent(upstream.address(), a -> new ArrayList<>(2));
    Connection chosen = choose(connections);
    if (chosen == null) {
      chosen = connect(loop, address, connections);
    }
    Connection c = chosen;
    c.streams++; // reserved now, so requests arriving while it connects count against its limit
    boolean newConnection = !c.connected.isDone();
    if (newConnection) {
      c.connected.addListener(f -> openStream(c, promise, true));
    } else {
      openStream(c, promise, false);
    }
    return promise;
  }

  /**
   * The connection with the fewest streams that can take one more; drops departing and long-idle
   * ones. Null (open a new one) when every connection is busy with {@link
   * #STREAMS_BEFORE_ANOTHER_CONNECTION} streams or full, and more may be opened. When none has room
   * and no more may be opened, the least busy (its stream then fails and the request is answered or
   * retried like one whose connection closed).
   */
  private Connection choose(List<Connection> connections) {
    long now = System.nanoTime();
    Connection withRoom = null;
    Connection leastBusy = null;
    for (Iterator<Connection> it = connections.iterator(); it.hasNext(); ) {
      Connection c = it.next();
      if (!c.takesStreams() || (c.streams == 0 && now - c.idleSinceNanos >= maxIdleNanos)) {
        it.remove();
        c.retire();
        continue;
      }
      if (c.hasRoom() && (withRoom == null || c.streams < withRoom.streams)) {
        withRoom = c;
      }
      if (leastBusy == null || c.streams < leastBusy.streams) {
        leastBusy = c;
      }
    }
    boolean mayOpen = connections.size() < MAX_CONNECTIONS_PER_UPSTREAM;
    if (withRoom != null && (withRoom.streams < STREAMS_BEFORE_ANOTHER_CONNECTION || !mayOpen)) {
      return withRoom;
    }
    return mayOpen ? null : leastBusy;
  }

  private Connection connect(
      EventLoop loop, InetSocketAddress address, List<Connection> connections) {
    Http2FrameCodec codec =
        Http2FrameCodecBuilder.forClient()
            .initialSettings(
                Http2Settings.defaultSettings().pushEnabled(false).initialWindowSize(STREAM_WINDOW))
            .build();
    Connection c = new Connection(codec, connections);
    ChannelFuture connecting =
        template
            .clone(loop)
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline()
                        .addLast("h2", codec)
                        .addLast("streams", new Http2MultiplexHandler(RefusePushedStreams.INSTANCE))
                        .addLast("h2-connection", c);
                  }
                })
            .connect(address);
    c.attach(connecting);
    connections.add(c);
    connecting.addListener(
        f -> {
          if (f.isSuccess()) {
            metrics.http2UpstreamConnectionOpened();
          }
        });
    return c;
  }

  private void openStream(Connection c, Promise<OpenedStream> promise, boolean newConnection) {
    if (!c.connected.isSuccess() || !c.channel.isActive()) {
      c.streamEnded();
      Throwable cause = c.connected.cause();
      promise.setFailure(cause != null ? cause : new ClosedChannelException());
      return;
    }
    new Http2StreamChannelBootstrap(c.channel)
        .handler(streamInitializer)
        .open()
        .addListener(
            (Future<Http2StreamChannel> opening) -> {
              if (!opening.isSuccess()) {
                c.streamEnded();
                promise.setFailure(opening.cause());
                return;
              }
              Http2StreamChannel stream = opening.getNow();
              stream.closeFuture().addListener(f -> c.streamEnded());
              metrics.http2UpstreamStreamOpened();
              if (!promise.trySuccess(new OpenedStream(stream, newConnection))) {
                stream.close();
              }
            });
  }

  /** Pushed streams are refused (push is disabled in our SETTINGS, so none should come). */
  @ChannelHandler.Sharable
  private static final class RefusePushedStreams extends ChannelInboundHandlerAdapter {
    static final RefusePushedStreams INSTANCE = new RefusePushedStreams();

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      ctx.close();
    }
  }

  /**
   * One HTTP/2 connection and its stream count; also the last handler of its pipeline, where the
   * frames that concern the whole connection (SETTINGS, PING, GOAWAY) end up.
   */
  private final class Connection extends ChannelInboundHandlerAdapter {
    private final Http2FrameCodec codec;
    private final List<Connection> owner;
    private Channel channel;
    private ChannelFuture connected;
    private int streams;
    private long idleSinceNanos = System.nanoTime();
    private boolean retired;

    Connection(Http2FrameCodec codec, List<Connection> owner) {
      this.codec = codec;
      this.owner = owner;
    }

    void attach(ChannelFuture connecting) {
      this.connected = connecting;
      this.channel = connecting.channel();
      channel
          .closeFuture()
          .addListener(
              f -> {
                retired = true;
                owner.remove(this);
              });
    }

    boolean takesStreams() {
      if (retired || (connected.isDone() && !channel.isActive())) {
        return false;
      }
      return !codec.connection().goAwayReceived() && !codec.connection().goAwaySent();
    }

    boolean hasRoom() {
      return streams < codec.connection().local().maxActiveStreams();
    }

    void streamEnded() {
      streams--;
      if (streams == 0) {
        idleSinceNanos = System.nanoTime();
        if (retired || codec.connection().goAwayReceived()) {
          channel.close();
        }
      }
    }

    /** No new streams go here; closed once its streams have ended. */
    void retire() {
      retired = true;
      if (streams == 0) {
        channel.close();
      }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof Http2GoAwayFrame goAway) {
        log.debug(
            "instance {} sent GOAWAY ({}): new requests open a new connection",
            ctx.channel().remoteAddress(),
            goAway.errorCode());
        if (streams == 0) {
          ctx.close();
        }
      }
      ReferenceCountUtil.release(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.debug("h2c connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
      ctx.close();
    }
  }
}
