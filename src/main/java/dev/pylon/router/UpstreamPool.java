package dev.pylon.router;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.resolver.NoopAddressResolverGroup;
import io.netty.util.concurrent.Future;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Idle keep-alive connections to upstreams, kept per event loop so a request's upstream channel
 * runs on the same thread as its client channel (no locks, no cross-thread hand-off). Each loop's
 * map is touched only by that loop's thread. Instances spoken to over h2c get streams on shared
 * HTTP/2 connections instead ({@link Http2UpstreamConnections}).
 */
final class UpstreamPool {
  private record Idle(Channel channel, long sinceNanos) {}

  /**
   * A connection idle this long is asked the kernel whether the instance closed it meanwhile (its
   * keep-alive timeout, at least a second in the servers Pylon runs); busier ones are not, to spare
   * the system call.
   */
  private static final long CHECK_PEER_AFTER_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private final Bootstrap template;
  private final Bootstrap ipv4Template;

  /**
   * Each loop's own copies of the templates, so a new connection does not copy a bootstrap (its
   * option and attribute maps) first: an instance that closes every connection gets one per
   * request.
   */
  private final ConcurrentHashMap<EventLoop, Connectors> connectorsByLoop =
      new ConcurrentHashMap<>();

  private record Connectors(Bootstrap dualStack, Bootstrap ipv4) {}

  private final long maxIdleNanos;
  private final int maxIdlePerUpstream;
  private final ConcurrentHashMap<EventLoop, Map<String, ArrayDeque<Idle>>> idleByLoop =
      new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, InetSocketAddress> addresses = new ConcurrentHashMap<>();
  private final Http2UpstreamConnections http2;

  UpstreamPool(Transport transport, RouterConfig config, RouterMetrics metrics) {
    this.maxIdleNanos = config.upstreamIdleTimeout().toNanos();
    this.maxIdlePerUpstream = config.maxIdlePerUpstream();
    Bootstrap common =
        new Bootstrap()
            .resolver(NoopAddressResolverGroup.INSTANCE)
            // no option(TCP_NODELAY): Netty's socket configs turn it on by default, and setting it
            // again is one more system call per new connection
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()))
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline()
                        .addLast("http", newHttpCodec())
                        .addLast("proxy", new UpstreamConnectionHandler(UpstreamPool.this));
                  }
                });
    this.template = common.clone().channel(transport.clientChannel());
    this.ipv4Template = common.channelFactory(transport.ipv4ClientChannel());
    this.http2 = new Http2UpstreamConnections(template, config, metrics, this);
  }

  /**
   * The HTTP/1.1 codec of an instance connection. Response body pieces may be as large as a read
   * (64 KiB, not Netty's 8 KiB): a 64 KiB response crosses the router as one or two messages
   * instead of eight.
   */
  private static HttpClientCodec newHttpCodec() {
    return new HttpClientCodec(new HttpDecoderConfig().setMaxChunkSize(64 * 1024), false, false);
  }

  /** A live idle connection to {@code upstream} on {@code loop}, or null. Call on {@code loop}. */
  Channel pollIdle(EventLoop loop, Upstream upstream) {
    Map<String, ArrayDeque<Idle>> byUpstream = idleByLoop.get(loop);
    if (byUpstream == null) {
      return null;
    }
    ArrayDeque<Idle> idle = byUpstream.get(upstream.address());
    if (idle == null) {
      return null;
    }
    long now = System.nanoTime();
    Idle candidate;
    // Newest first: the connections used most recently are the least likely to have been closed.
    while ((candidate = idle.pollLast()) != null) {
      Channel ch = candidate.channel();
      long idleNanos = now - candidate.sinceNanos();
      if (ch.isActive()
          && idleNanos < maxIdleNanos
          && (idleNanos < CHECK_PEER_AFTER_NANOS || !TcpPeer.hasClosed(ch))) {
        return ch;
      }
      ch.close();
    }
    return null;
  }

  /**
   * Looks the upstream's host up once, on the caller's thread, so that event loops never wait for a
   * name lookup (call from {@code publish}).
   */
  void resolve(Upstream upstream) {
    addresses.computeIfAbsent(
        upstream.address(), key -> new InetSocketAddress(upstream.host(), upstream.port()));
  }

  /** Opens a new connection on {@code loop}. */
  ChannelFuture connect(EventLoop loop, Upstream upstream) {
    InetSocketAddress address = address(upstream);
    Connectors connectors =
        connectorsByLoop.computeIfAbsent(
            loop, l -> new Connectors(template.clone(l), ipv4Template.clone(l)));
    Bootstrap bootstrap =
        address.getAddress() instanceof Inet4Address ? connectors.ipv4() : connectors.dualStack();
    return bootstrap.connect(address);
  }

  /**
   * Opens an HTTP/2 stream to an {@link UpstreamProtocol#H2C} upstream on {@code loop}, on a shared
   * connection of that loop. Call on {@code loop}.
   */
  Future<Http2UpstreamConnections.OpenedStream> openStream(EventLoop loop, Upstream upstream) {
    return http2.open(loop, upstream, address(upstream));
  }

  private InetSocketAddress address(Upstream upstream) {
    InetSocketAddress address = addresses.get(upstream.address());
    if (address == null) {
      resolve(upstream); // not published through the router: a literal address in practice
      address = addresses.get(upstream.address());
    }
    return address;
  }

  /** Keeps a connection whose last response was read in full. Call on its loop. */
  void release(Channel ch, Upstream upstream) {
    if (ch instanceof Http2StreamChannel) {
      ch.close(); // a stream serves one request; its connection stays with the other streams
      return;
    }
    if (!ch.isActive()) {
      ch.close();
      return;
    }
    EventLoop loop = ch.eventLoop();
    Map<String, ArrayDeque<Idle>> byUpstream =
        idleByLoop.computeIfAbsent(loop, l -> new HashMap<>());
    ArrayDeque<Idle> idle = byUpstream.computeIfAbsent(upstream.address(), a -> new ArrayDeque<>());
    if (idle.size() >= maxIdlePerUpstream) {
      Idle oldest = idle.pollFirst();
      if (oldest != null) {
        oldest.channel().close();
      }
    }
    ch.attr(UpstreamConnectionHandler.POOL_KEY).set(upstream.address());
    idle.addLast(new Idle(ch, System.nanoTime()));
  }

  /** Drops an idle connection the upstream closed. Call on its loop. */
  void forget(Channel ch) {
    String key = ch.attr(UpstreamConnectionHandler.POOL_KEY).get();
    Map<String, ArrayDeque<Idle>> byUpstream = idleByLoop.get(ch.eventLoop());
    if (key == null || byUpstream == null) {
      return;
    }
    ArrayDeque<Idle> idle = byUpstream.get(key);
    if (idle != null) {
      idle.removeIf(i -> i.channel() == ch);
    }
  }
}
